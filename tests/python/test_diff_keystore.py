"""V3 keystores against eth-account (eth-keyfile + pycryptodome): files it writes
decrypt to the same key with verinfer, files verinfer writes decrypt with
Account.decrypt; random keys and passphrases (unicode too) from a printed seed,
small KDF costs so a thousand cases stay fast."""
import json

from eth_account import Account

CASES = 1000


def random_passphrase(rng):
    alphabet = ["a", "Z", "0", " ", "\"", "\\", "\n", "é", "ß", "Ω", "中", "🔑", "\u200b", "\x7f"]
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 24)))


def random_key(rng):
    while True:
        key = rng.randbytes(32)
        if 0 < int.from_bytes(key, "big") < 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141:
            return key


def test_eth_account_keystores_decrypt_to_the_same_key(testkit, rng):
    cases = []
    for i in range(CASES):
        key, passphrase = random_key(rng), random_passphrase(rng)
        kdf = "scrypt" if i % 2 else "pbkdf2"
        # eth-keyfile: scrypt n = iterations (a power of two), r = 1, p = 8
        iterations = 2 ** rng.randrange(1, 7) if kdf == "scrypt" else rng.randrange(1, 64)
        keystore = Account.encrypt(key, passphrase, kdf=kdf, iterations=iterations)
        cases.append((key, passphrase, keystore))
    answers = testkit.run([{"op": "keystore_decrypt", "keystore": json.dumps(ks), "passphrase": pw}
                           for _, pw, ks in cases])
    bad = [(ks, pw, a) for (key, pw, ks), a in zip(cases, answers)
           if not a["ok"] or a["key"] != "0x" + key.hex()]
    assert not bad, f"{len(bad)} of {CASES} differ, first: {bad[0]}"
    # A wrong passphrase is a MAC mismatch, never another key.
    wrong = testkit.run([{"op": "keystore_decrypt", "keystore": json.dumps(ks), "passphrase": pw + "x"}
                         for _, pw, ks in cases[:100]])
    assert all(not a["ok"] and "MAC mismatch" in a["error"] for a in wrong), wrong[0]


def test_verinfer_keystores_decrypt_with_eth_account(testkit, rng):
    cases = []
    for i in range(CASES):
        key, passphrase = random_key(rng), random_passphrase(rng)
        if i % 2:
            params = {"kdf": "scrypt", "n": 2 ** rng.randrange(1, 7), "r": rng.randrange(1, 9),
                      "p": rng.randrange(1, 3)}
        else:
            params = {"kdf": "pbkdf2", "c": rng.randrange(1, 64)}
        cases.append((key, passphrase, params))
    answers = testkit.run([{"op": "keystore_encrypt", "key": key.hex(), "passphrase": pw, **params}
                           for key, pw, params in cases])
    refused = [a for a in answers if not a["ok"]]
    assert not refused, refused[0]
    for (key, passphrase, params), answer in zip(cases, answers):
        keystore = json.loads(answer["result"])
        assert Account.decrypt(keystore, passphrase) == key, (params, keystore)
        assert keystore["address"] == Account.from_key(key).address[2:].lower()
        assert keystore["crypto"]["kdf"] == params["kdf"]
