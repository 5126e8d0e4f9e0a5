"""Lathe's Python model server: the SageMaker inference toolkit's handler contract
(model_fn, input_fn, predict_fn, output_fn, or transform_fn) behind the container's
HTTP contract (GET /ping, POST /invocations), for one model instance.

Started by Lathe with the model unpacked under SM_MODEL_DIR; it binds 127.0.0.1 on a free
port and prints "LATHE_READY <port>" once the model is loaded.
"""
import importlib.util
import io
import json
import os
import sys
import socket
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np

MODEL_DIR = os.environ["SM_MODEL_DIR"]
CODE_DIR = os.environ.get("LATHE_CODE_DIR") or os.path.join(MODEL_DIR, "code")
PROGRAM = os.environ.get("SAGEMAKER_PROGRAM", "inference.py")
DEFAULT_ACCEPT = os.environ.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", "application/json")


class HandlerError(Exception):
    """An error with the HTTP status the client should see."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def load_user_module():
    path = os.path.join(CODE_DIR, PROGRAM)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"SAGEMAKER_PROGRAM {PROGRAM} not found in {CODE_DIR}")
    sys.path.insert(0, CODE_DIR)
    spec = importlib.util.spec_from_file_location(os.path.splitext(PROGRAM)[0], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def default_input_fn(body, content_type):
    kind = (content_type or "application/json").split(";")[0].strip().lower()
    if kind == "application/json":
        return np.array(json.loads(body.decode("utf-8")))
    if kind == "text/csv":
        return np.genfromtxt(io.StringIO(body.decode("utf-8")), delimiter=",", ndmin=2)
    if kind == "application/x-npy":
        return np.load(io.BytesIO(body), allow_pickle=False)
    raise HandlerError(415, f"Content type {content_type} is not supported by the default input_fn")


def default_predict_fn(data, model):
    return model.predict(data)


def to_plain(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def default_output_fn(prediction, accept):
    kind = (accept or DEFAULT_ACCEPT).split(";")[0].strip().lower()
    if kind in ("*/*", ""):
        kind = DEFAULT_ACCEPT
    if kind == "application/json":
        return json.dumps(to_plain(prediction)), "application/json"
    if kind == "text/csv":
        out = io.StringIO()
        np.savetxt(out, np.atleast_1d(np.asarray(prediction)), delimiter=",", fmt="%s")
        return out.getvalue(), "text/csv"
    if kind == "application/x-npy":
        out = io.BytesIO()
        np.save(out, np.asarray(prediction))
        return out.getvalue(), "application/x-npy"
    raise HandlerError(406, f"Accept {accept} is not supported by the default output_fn")


def is_stream(value):
    """A generator (or any iterator) answers part by part: InvokeEndpointWithResponseStream."""
    return hasattr(value, "__next__") and not isinstance(value, (bytes, bytearray, str))


def to_bytes(value):
    if isinstance(value, str):
        return value.encode("utf-8")
    return bytes(value)


def main():
    user = load_user_module()
    model_fn = getattr(user, "model_fn", None)
    if model_fn is None:
        raise RuntimeError(f"{PROGRAM} must define model_fn(model_dir)")
    model = model_fn(MODEL_DIR)
    transform_fn = getattr(user, "transform_fn", None)
    input_fn = getattr(user, "input_fn", default_input_fn)
    predict_fn = getattr(user, "predict_fn", default_predict_fn)
    output_fn = getattr(user, "output_fn", default_output_fn)

    def handle(body, content_type, accept):
        if transform_fn is not None:
            result = transform_fn(model, body, content_type, accept)
        else:
            result = output_fn(predict_fn(input_fn(body, content_type), model), accept)
        # Handlers return a body or (body, content type), as the toolkit allows.
        if isinstance(result, tuple):
            payload, out_type = result[0], result[1]
        else:
            payload, out_type = result, (accept if accept and accept != "*/*" else DEFAULT_ACCEPT)
        if is_stream(payload):
            return payload, out_type
        return to_bytes(payload), out_type

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # access logs would flood the endpoint's log
            pass

        def reply(self, status, body, content_type="text/plain"):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path == "/ping":
                self.reply(200, b"")
            else:
                self.reply(404, b"not found")

        def stream(self, parts, content_type):
            """Writes each part as it comes (chunked); a failing part cuts the connection."""
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                for part in parts:
                    data = to_bytes(part)
                    if data:
                        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                        self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")
            except Exception:  # noqa: BLE001 - the client must see the stream break, not end
                traceback.print_exc()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)

        def do_POST(self):
            if self.path != "/invocations":
                self.reply(404, b"not found")
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            try:
                payload, out_type = handle(body, self.headers.get("Content-Type"), self.headers.get("Accept"))
                if is_stream(payload):
                    self.stream(payload, out_type)
                else:
                    self.reply(200, payload, out_type)
            except HandlerError as e:
                self.reply(e.status, str(e).encode("utf-8"))
            except Exception as e:  # noqa: BLE001 - the toolkit answers 500 with the traceback
                status = getattr(e, "status_code", None) or getattr(e, "status", None)
                if not isinstance(status, int):
                    status = 500
                text = f"{e}\n{traceback.format_exc()}"
                print(text, file=sys.stderr, flush=True)
                self.reply(status, text.encode("utf-8"))

    # Lathe holds our stdin open; end-of-file means it is gone, so this instance goes too.
    def exit_with_parent():
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=exit_with_parent, daemon=True).start()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"LATHE_READY {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    try:
        main()
    except Exception:
        traceback.print_exc()
        sys.exit(1)
