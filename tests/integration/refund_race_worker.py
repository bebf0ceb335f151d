"""One till racing to return units: `python refund_race_worker.py DB_URL ORDER SKU=N TRIES START_AT`.

Waits until START_AT (a Unix time) so every till starts together, then tries TRIES returns of SKU=N of
ORDER (refunded to the card). Prints one JSON object: how many were refunded, refused and errored.
"""

import json
import sys
import time

from pos.errors import NotRefundable, PosError, ReturnExceedsSale
from pos.services import refunds
from pos.services.db import Database


def main() -> None:
    url, order_id, item, tries, start_at = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
    db = Database(url)
    counts: dict = {"refunded": 0, "refused": 0, "amounts": [], "errors": []}
    time.sleep(max(0.0, start_at - time.time()))
    for _ in range(tries):
        try:
            refund = refunds.return_items(db, order_id=order_id, lines=[refunds.parse_item(item)])
            counts["refunded"] += 1
            counts["amounts"].append(refund.amount)
        except (ReturnExceedsSale, NotRefundable):  # being returned by another till, or already refunded
            counts["refused"] += 1
        except PosError as err:
            counts["errors"].append(f"{err.code}: {err.message}")
        except Exception as exc:  # noqa: BLE001 - any other failure is what the test is looking for
            counts["errors"].append(f"{type(exc).__name__}: {exc}")
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
