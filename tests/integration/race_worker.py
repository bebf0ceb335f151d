"""One till in the race test: `python race_worker.py DB_URL CHECKOUTS START_AT` (a real process).

Waits until START_AT (a Unix time) so every till starts together, then tries CHECKOUTS sales of one
TSHIRT-M at STORE-1 by card. Prints one JSON object: how many were paid, refused and errored.
"""

import json
import sys
import time

from pos.errors import InsufficientStock, PosError
from pos.services import cart, orders
from pos.services.db import Database


def main() -> None:
    url, checkouts, start_at = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    db = Database(url)
    counts = {"paid": 0, "insufficient_stock": 0, "errors": []}
    time.sleep(max(0.0, start_at - time.time()))
    for _ in range(checkouts):
        try:
            c = cart.new_cart(db, location="STORE-1")
            cart.add_item(db, cart_id=c.id, code="TSHIRT-M", quantity=1)
            order = orders.checkout(db, cart_id=c.id, processor="card", params={"card": "4242424242424242"})
            counts["paid"] += order.status == "processing"
        except InsufficientStock:
            counts["insufficient_stock"] += 1
        except PosError as err:
            counts["errors"].append(f"{err.code}: {err.message}")
        except Exception as exc:  # noqa: BLE001 - any other failure is what the test is looking for
            counts["errors"].append(f"{type(exc).__name__}: {exc}")
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
