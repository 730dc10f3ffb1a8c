// A tiny poll API on port 3000, with no dependencies beyond Node itself.
//   GET  /health          -> {"status":"ok"}
//   GET  /api/poll        -> the question, its options and their votes
//   POST /api/poll/vote   -> body {"option":"hub"}; answers with the updated poll
// Votes live in memory: restarting the container starts the count again.
const http = require("http");

const PORT = Number(process.env.PORT || 3000);
const poll = {
  question: "Which registry will you push to?",
  options: [
    { id: "hub", label: "Docker Hub", votes: 0 },
    { id: "ecr", label: "Amazon ECR", votes: 0 },
    { id: "ghcr", label: "GitHub Container Registry", votes: 0 },
  ],
};

function send(res, status, body) {
  res.writeHead(status, {
    "Content-Type": "application/json",
    // The frontend is served from another port, so the browser needs this to call us.
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "Content-Type",
  });
  res.end(JSON.stringify(body));
}

function readJson(req, done) {
  let raw = "";
  req.on("data", (chunk) => {
    raw += chunk;
    if (raw.length > 10000) req.destroy();
  });
  req.on("end", () => {
    try {
      done(null, raw ? JSON.parse(raw) : {});
    } catch (err) {
      done(err);
    }
  });
}

const server = http.createServer((req, res) => {
  console.log(`${new Date().toISOString()} ${req.method} ${req.url}`);
  if (req.method === "OPTIONS") return send(res, 204, {});
  if (req.method === "GET" && req.url === "/health") return send(res, 200, { status: "ok" });
  if (req.method === "GET" && (req.url === "/" || req.url === "/api/poll")) return send(res, 200, poll);
  if (req.method === "POST" && req.url === "/api/poll/vote") {
    return readJson(req, (err, body) => {
      const option = !err && poll.options.find((o) => o.id === body.option);
      if (!option) return send(res, 400, { error: "unknown option; use one of hub, ecr, ghcr" });
      option.votes += 1;
      return send(res, 200, poll);
    });
  }
  return send(res, 404, { error: "not found" });
});

server.listen(PORT, "0.0.0.0", () => console.log(`poll-backend listening on port ${PORT}`));

// As PID 1 in a container, Node gets no default signal handling: stop promptly on `docker stop`.
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
