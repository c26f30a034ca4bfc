// The chat line to Rasa's socket.io channel (channels/socketio.py): the token proves who
// the trainee is; every socket of one trainee shares their conversation, so a reload or a
// dropped network picks up where it left off.
import { io } from "socket.io-client";

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
    this.socket.on("connect_error", (error) => {
      if (error && error.data && error.data.code === "invalid_token") handlers.onAuthError(error.data);
      else handlers.onOffline && handlers.onOffline();
    });
    this.socket.on("disconnect", () => {
      this.confirmed = false;
      handlers.onOffline && handlers.onOffline();
    });
  }

  send(text) {
    const message = { message: text };
    if (this.confirmed) this.socket.emit("user_uttered", message);
    else this.outbox.push(message);
  }

  close() {
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }
}
