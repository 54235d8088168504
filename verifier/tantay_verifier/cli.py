"""`tantay-verify BUNDLE --log-key VKEY [--witness-key VKEY …] [--min-witnesses N]`."""
from __future__ import annotations

import argparse
import json
import sys

from tantay_verifier.verify import Failure, verify_bundle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tantay-verify", description=__doc__)
    parser.add_argument("bundle", help="the custody export JSON file")
    parser.add_argument("--log-key", required=True, help="the log's note verifier key")
    parser.add_argument("--witness-key", action="append", default=[],
                        help="a trusted witness's cosignature verifier key (repeatable)")
    parser.add_argument("--min-witnesses", type=int, default=None,
                        help="cosignatures required (default: one per --witness-key given)")
    options = parser.parse_args(argv)
    with open(options.bundle, encoding="utf-8") as stream:
        document = json.load(stream)
    wanted = (len(options.witness_key) if options.min_witnesses is None
              else options.min_witnesses)
    try:
        summary = verify_bundle(document, options.log_key, options.witness_key, wanted)
    except Failure as failure:
        print(f"FAIL {failure.part}: {failure.detail}")
        return 1
    print(f"OK {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
