// Talks to the poll backend on port 3000 of the same host (docker run -p 3000:3000 ...).
const API = `${window.location.protocol}//${window.location.hostname}:3000/api/poll`;

function show(poll) {
  document.getElementById("question").textContent = poll.question;
  const box = document.getElementById("options");
  box.replaceChildren(...poll.options.map((option) => {
    const button = document.createElement("button");
    button.textContent = `${option.label} (${option.votes})`;
    button.onclick = () => vote(option.id);
    return button;
  }));
  document.getElementById("status").textContent = "";
}

function failed(err) {
  document.getElementById("status").textContent = `Cannot reach the backend at ${API}: ${err}`;
}

function vote(id) {
  fetch(`${API}/vote`, { method: "POST", headers: { "Content-Type": "application/json" },
                         body: JSON.stringify({ option: id }) })
    .then((r) => r.json()).then(show).catch(failed);
}

fetch(API).then((r) => r.json()).then(show).catch(failed);
