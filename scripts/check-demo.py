"""Check a loaded demo (app.demo.problems): every part is there, nothing that happened is dated later than now,
nothing is dated before what it belongs to. Run by scripts/demo-at.sh (and so by .ci/run) after `flask pm demo`,
at the same moment. Exits 1 and lists what is wrong."""
import sys

from app import create_app
from app.core import clock


def main() -> int:
    app = create_app()
    with app.app_context():
        from app.demo import problems

        now = clock.now()
        found = problems(now)
    print(f"demo checked at {now}: " + (f"{len(found)} problems" if found else
                                        "all parts loaded, nothing later than now or before what it belongs to"))
    for p in found:
        print("  " + p)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
