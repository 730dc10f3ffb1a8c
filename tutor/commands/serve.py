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
from tutor.commands.options import APP_LESSON, include

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
    include(parser, APP_LESSON)
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
    # Said once the port is really listening: a taken port gets only the error below.
    server.listening = lambda: print(f"Open http://{_shown(args.host)}:{args.port}/ in a browser (add ?fontsize=24 "
                                     "for a projector). Ctrl+C stops it.", flush=True)
    try:
        server.serve()
    except OSError as exc:  # the port is taken, the address is not this machine's ...
        return fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
                    "pick another --port, or stop what already listens there", code=1)
    return 0


def _shown(host: str) -> str:
    return f"[{host}]" if ":" in host else host


# textual-serve's page asks fonts.googleapis.com for its font; a classroom may be offline, and no
# page of ours should tell a third party who opened it. The same font ships in its static folder.
_WEB_FONT_LINK = re.compile(r'<link[^>]*href="https://fonts\.googleapis\.com/[^"]*"[^>]*/?>\s*', re.DOTALL)
_LOCAL_FONTS = """<style>
      @font-face { font-family: "Roboto Mono"; font-style: normal;
        src: url("{{ config.static.url }}fonts/RobotoMono-VariableFont_wght.ttf"); }
      @font-face { font-family: "Roboto Mono"; font-style: italic;
        src: url("{{ config.static.url }}fonts/RobotoMono-Italic-VariableFont_wght.ttf"); }
    </style>
"""


def offline_page(template: str) -> str:
    """textual-serve's page template with its web-font link replaced by the fonts it serves itself."""
    return _WEB_FONT_LINK.sub(lambda _: _LOCAL_FONTS, template, count=1)


def _server_class(base):
    import asyncio
    import signal
    from urllib.parse import urlsplit

    import aiohttp_jinja2
    import jinja2
    from aiohttp import web

    class TutorServer(base):
        """textual-serve's server with two checks of ours, since each page drives a Docker engine:
        a websocket opened by a page from another site is refused (any web page may try
        ws://127.0.0.1:PORT), and on loopback so is a request for another host name (DNS
        rebinding). The page's links use the address the browser came by: textual-serve's fixed
        one (http://0.0.0.0:PORT served publicly, 127.0.0.1 for a page opened as localhost)
        would send the websocket elsewhere."""

        listening = staticmethod(lambda: None)  # called once the port is bound

        async def on_startup(self, app) -> None:
            pass  # textual-serve's banner comes before the port is bound; `listening` says it after

        async def _make_app(self):
            app = await super()._make_app()

            def load(name: str) -> str:
                return offline_page((self.templates_path / name).read_text(encoding="utf-8"))

            aiohttp_jinja2.setup(app, loader=jinja2.FunctionLoader(load))
            return app

        def serve(self, debug: bool = False) -> None:
            # As textual-serve's own, but aiohttp's "running" callback (made once every site
            # listens) is where the address is printed.
            self.debug = debug
            self.initialize_logging()
            loop = asyncio.new_event_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                try:
                    loop.add_signal_handler(signum, self.request_exit)
                except (NotImplementedError, RuntimeError):
                    pass
            web.run_app(self._make_app(), host=self.host, port=self.port, handle_signals=False, loop=loop,
                        print=lambda *_: self.listening())

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
