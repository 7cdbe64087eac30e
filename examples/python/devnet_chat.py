"""A paid, verified chat call against the local devnet (devnet/start.sh).

    python devnet_chat.py [PROFILE.json]
"""
import json
import sys

import verinfer


def main(profile_path="devnet/run/profile.json"):
    with open(profile_path) as f:
        payer = json.load(f)["testPayer"]["privateKey"]  # devnet throwaway key only
    llm = verinfer.LLM(profile_path, private_key=payer)
    result = llm.chat(model="openai/gpt-5",
                      messages=[{"role": "user", "content": "What does verification prove?"}],
                      max_tokens=64, x402_settlement_mode="individual")
    print(result.content)
    print(result.report)
    print("paid:", result.payment["transaction"] if result.payment else "nothing")
    for piece in (stream := llm.chat(model="openai/gpt-5", stream=True,
                                     messages=[{"role": "user", "content": "Stream it"}])):
        print(piece, end="", flush=True)
    print("\nstream verified:", stream.result.report.ok)
    return 0 if result.report.ok and stream.result.report.ok else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
