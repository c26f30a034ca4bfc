// The chat line to Rasa's socket.io channel (channels/socketio.py): the token proves who
// the trainee is; every socket of one trainee shares their conversation, so a reload or a
// dropped network picks up where it left off.
import { io } from "socket.io-client";

// Sent with each message and echoed in its `message_error`, so the widget knows which text
// to offer again. getRandomValues, unlike randomUUID, works on a plain-http intranet page.
function newMessageId() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class Connection {
  constructor(server, token, handlers) {
    this.handlers = handlers;
    this.confirmed = false;
    this.outbox = [];
    this.everConfirmed = false;
    this.socket = io(server || undefined, {
      path: "/socket.io",
      auth: { token },
      transports: ["websocket", "polling"],
      reconnectionDelayMax: 4000,
    });
    this.socket.on("connect", () => {
      this.confirmed = false;
      this.socket.emit("session_request", { token });
    });
    this.socket.on("session_confirm", () => {
      const resumed = this.everConfirmed;
      this.confirmed = true;
      this.everConfirmed = true;
      for (const message of this.outbox.splice(0)) this.socket.emit("user_uttered", message);
      handlers.onReady && handlers.onReady({ resumed });
    });
    this.socket.on("bot_uttered", (message) => handlers.onMessage(message));
    this.socket.on("session_error", (error) => handlers.onAuthError(error));
    // A message the server could not handle (refused or failed): {code, message, message_id}.
    this.socket.on("message_error", (error) => handlers.onMessageError && handlers.onMessageError(error || {}));
    this.socket.on("connect_error", (error) => {
      if (error && error.data && error.data.code === "invalid_token") handlers.onAuthError(error.data);
      else handlers.onOffline && handlers.onOffline();
    });
    this.socket.on("disconnect", () => {
      this.confirmed = false;
      handlers.onOffline && handlers.onOffline();
    });
  }

  // Returns the message's id (its message_error, if any, carries it back).
  send(text) {
    const message = { message: text, message_id: newMessageId() };
    if (this.confirmed) this.socket.emit("user_uttered", message);
    else this.outbox.push(message);
    return message.message_id;
  }

  close() {
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }
}
