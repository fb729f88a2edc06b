"""Entry point: `flask --app run ...` for commands; `python run.py` serves with waitress."""
import logging
import os

from app import create_app

app = create_app()

if __name__ == "__main__":
    from waitress import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "8080"))
    print(f"物业管理处 back office: http://{host}:{port}/  (Ctrl+C to stop)", flush=True)
    serve(app, host=host, port=port, threads=int(os.environ.get("THREADS", "8")))
