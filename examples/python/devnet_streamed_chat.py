"""A streamed chat: print the answer as it arrives, then learn whether it was
verified. The deltas are NOT verified while they stream; ``stream.result``
(set when the iteration ends) is, and a failed check raises VerificationError
from the loop instead.

    python devnet_streamed_chat.py [PROFILE.json]
"""
import asyncio
import json
import sys

import verinfer


def main(profile_path="devnet/run/profile.json"):
    with open(profile_path) as f:  # the devnet's throwaway key; use a file or env var for real ones
        key = json.load(f)["testPayer"]["privateKey"]
    messages = [{"role": "user", "content": "Stream a short answer, please."}]

    llm = verinfer.LLM(profile_path, private_key=key)
    stream = llm.chat(model="openai/gpt-5", messages=messages, max_tokens=32, stream=True)
    for delta in stream:
        print(delta, end="", flush=True)
    print(f"\nverified by {len(stream.result.report.checks)} checks:", stream.result.report.ok)

    pieces = llm.completion(model="openai/gpt-5", prompt="Once upon a time", max_tokens=32, stream=True)
    for piece in pieces:  # a text completion streams the same way
        print(piece, end="", flush=True)
    print("\ncompletion verified:", pieces.result.report.ok)

    async def in_asyncio():  # the same with asyncio
        async for delta in await verinfer.AsyncLLM(profile_path, private_key=key).chat(
                model="openai/gpt-5", messages=messages, max_tokens=32, stream=True):
            print(delta, end="", flush=True)
        print()
    asyncio.run(in_asyncio())
    return 0 if stream.result.report.ok else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
