"""Verify a saved TEE response offline (no network, no node).

    python verify_saved_response.py REQUEST.json RESPONSE.json KEY.pem UNIX_TIME
"""
import sys

import verinfer


def main(request_path, response_path, key_path, now):
    with open(request_path) as r, open(response_path) as s, open(key_path) as k:
        request, response, key = r.read(), s.read(), k.read()
    try:
        report = verinfer.verify_response(request, response, key, now=int(now))
    except verinfer.VerificationError as error:
        print(f"REJECTED: {error}")
        print(error.report)
        return 1
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
