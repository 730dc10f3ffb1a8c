"""``docker-tutor serve [--host 127.0.0.1] [--port N] [--public]``: the tutor in a web browser.

textual-serve answers HTTP and starts one tutor process per browser tab, each driving this
machine's Docker engine. So it listens on loopback unless told otherwise: any other address
needs ``--public`` and gets a warning, because whoever reaches it can build, run and remove
containers here.
"""

from __future__ import annotations

import argparse
import ipaddress
import re
import shlex
import sys

from tutor.commands import fail, warn

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000
# What a Host header may hold to be put into the page's links (it is the browser's, not ours).
_HOST_HEADER = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number (1 to 65535)")
    return port


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve", help="serve the tutor to a web browser (a projector, a classroom machine)",
        description="Serve the tutor over HTTP with textual-serve: open the address it prints in a browser; "
                    "each tab gets its own tutor, working on this machine's Docker engine. Add ?fontsize=24 "
                    "to the address for a projector.")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"address to listen on (default {DEFAULT_HOST}, this machine only); any other needs "
                             "--public")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--public", action="store_true",
                        help="allow an address other than loopback: anyone on that network can then drive the "
                             "tutor and its Docker engine")
    parser.add_argument("--demo", action="store_true", help="each browser tab opens in demo mode (docker-tutor demo)")
    parser.add_argument("--lesson", metavar="LESSON", help="lesson (default: the first)")
    parser.add_argument("--lessons", action="append", default=[], metavar="DIR", help="another lessons folder")
    parser.add_argument("--config", metavar="FILE", help="settings file (default: your config folder)")
    parser.set_defaults(handler=run)


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and the name localhost; every other name or address is reachable from elsewhere."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def app_command(args: argparse.Namespace) -> str:
    """The shell command textual-serve starts for each browser tab: this Python, this tutor, these options.
    textual-serve runs it through a shell, so every part is quoted."""
    parts = [sys.executable, "-m", "tutor"]
    if args.demo:
        parts.append("demo")
    for flag, value in (("--lesson", args.lesson), ("--config", args.config)):
        if value:
            parts += [flag, value]
    for folder in args.lessons:
        parts += ["--lessons", folder]
    return " ".join(shlex.quote(part) for part in parts)


def run(args: argparse.Namespace) -> int:
    if not is_loopback(args.host) and not args.public:
        return fail(f"--host {args.host} is not a loopback address: anyone who can reach it could drive the tutor "
                    "and, through it, this machine's Docker engine",
                    f"add --public if that is what you want, or leave --host out to serve on {DEFAULT_HOST} only")
    try:
        from textual_serve.server import Server
    except ImportError:
        return fail("textual-serve is not installed", "pip install textual-serve (it comes with docker-tutor)",
                    code=1)
    if not is_loopback(args.host):
        warn(f"serving on {args.host}:{args.port}: anyone on that network can open the tutor and drive it, and "
             "with it this machine's Docker engine (build, run and remove containers and images). Stop it with "
             "Ctrl+C when the class is over.")
    server = _server_class(Server)(app_command(args), host=args.host, port=args.port, title="docker-tutor")
    print(f"Open http://{_shown(args.host)}:{args.port}/ in a browser (add ?fontsize=24 for a projector).",
          flush=True)
    try:
        server.serve()
    except OSError as exc:  # the port is taken, the address is not this machine's ...
        return fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
                    "pick another --port, or stop what already listens there", code=1)
    return 0


def _shown(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _server_class(base):
    from urllib.parse import urlsplit

    from aiohttp import web

    class TutorServer(base):
        """textual-serve's server with two checks of ours, since each page drives a Docker engine:
        a websocket opened by a page from another site is refused (any web page may try
        ws://127.0.0.1:PORT), and on loopback so is a request for another host name (DNS
        rebinding). The page's links use the address the browser came by: textual-serve's fixed
        one (http://0.0.0.0:PORT served publicly, 127.0.0.1 for a page opened as localhost)
        would send the websocket elsewhere."""

        def _refused(self, request) -> str:
            name = urlsplit(f"//{request.host}").hostname or ""
            if is_loopback(self.host) and not is_loopback(name):
                return f"this tutor answers only on {self.host}"
            origin = request.headers.get("Origin")
            if origin and urlsplit(origin).netloc != request.host:
                return "the page that asked is not this tutor's"
            return ""

        async def handle_index(self, request):
            if why := self._refused(request):
                raise web.HTTPForbidden(text=why)
            if _HOST_HEADER.fullmatch(request.host):
                self.public_url = f"{request.scheme}://{request.host}"
            return await super().handle_index(request)

        async def handle_websocket(self, request):
            if why := self._refused(request):
                raise web.HTTPForbidden(text=why)
            return await super().handle_websocket(request)

    return TutorServer
