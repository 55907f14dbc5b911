// The Coach chat: posts a turn to the JSON API with the session cookie and its CSRF token, and shows the
// streamed reply (server-sent events) as it arrives. Without JavaScript the form posts normally.
(function () {
  "use strict";
  var form = document.getElementById("chat-form");
  if (!form) { return; }
  var box = document.getElementById("content");
  var list = document.getElementById("transcript");
  var status = document.getElementById("chat-status");
  var send = document.getElementById("send");
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var sessionId = form.getAttribute("data-session");
  var words = { resolved: "resolved", needs_more_help: "needs more help", refer_to_teacher: "referred to the teacher" };

  function bubble(role, text) {
    var li = document.createElement("li");
    li.className = role;
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = role === "student" ? "You" : "Coach";
    li.appendChild(who);
    var body = document.createElement("span");
    body.textContent = text;
    li.appendChild(body);
    list.appendChild(li);
    return body;
  }

  function handle(event, data, reply) {
    if (event === "token") { reply.textContent += data.text; }
    if (event === "error") { status.textContent = data.message; }
    if (event === "done") {
      reply.textContent = data.reply || reply.textContent;
      status.textContent = "";
      if (data.outcome && data.outcome !== "in_progress") {
        var badge = document.getElementById("outcome");
        badge.textContent = words[data.outcome] || data.outcome;
        badge.className = "badge " + data.outcome;
        status.textContent = "The session is closed: " + (words[data.outcome] || data.outcome) + ".";
        form.hidden = true;
      }
    }
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = box.value.trim();
    if (!text) { return; }
    bubble("student", text);
    var reply = bubble("coach", "");
    box.value = "";
    send.disabled = true;
    status.textContent = "The Coach is thinking…";
    var key = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
    fetch("/v1/coaching-sessions/" + sessionId + "/messages", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "text/event-stream", "X-CSRF-Token": csrf,
                 "Idempotency-Key": key },
      body: JSON.stringify({ content: text })
    }).then(function (response) {
      if (!response.ok || !response.body) {
        return response.json().then(function (err) { status.textContent = err.error ? err.error.message : "Sending failed."; });
      }
      var reader = response.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) { return; }
          buffer += decoder.decode(chunk.value, { stream: true });
          var parts = buffer.split("\n\n");
          buffer = parts.pop();
          parts.forEach(function (part) {
            var event = "message", data = "";
            part.split("\n").forEach(function (line) {
              if (line.indexOf("event: ") === 0) { event = line.slice(7); }
              if (line.indexOf("data: ") === 0) { data += line.slice(6); }
            });
            if (data) { handle(event, JSON.parse(data), reply); }
          });
          return pump();
        });
      }
      return pump();
    }).catch(function () {
      status.textContent = "Connection lost; your message was saved. Reload to see the reply.";
    }).then(function () { send.disabled = false; box.focus(); });
  });
}());
