"""Independent check of the code vectors, written from SPEC.md §1, §3 and §4 only.

Needs Python 3.9+ and the `cryptography` package (>= 44 for its Argon2id; with an older one,
Argon2id comes from `argon2-cffi`).
Usage: python3 check_codes.py path/to/vectors/testkit
"""
import os, sys, unicodedata
try:
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
except ImportError:  # cryptography < 44 (e.g. Debian 12's): the reference C implementation
    from argon2.low_level import Type, hash_secret_raw

    class Argon2id:
        def __init__(self, salt, length, iterations, lanes, memory_cost):
            self.args = dict(salt=salt, hash_len=length, time_cost=iterations, parallelism=lanes,
                             memory_cost=memory_cost, type=Type.ID, version=19)

        def derive(self, secret):
            return hash_secret_raw(secret, **self.args)
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives import serialization

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

def gf_mul(a, b):
    r = 0
    for _ in range(5):
        if b & 1: r ^= a
        b >>= 1; a <<= 1
        if a & 0x20: a ^= 0b100101
    return r

def check(kind, g, d):
    c = g if kind == "recovery" else g ^ 16
    for w, x in zip((2, 4, 8, 16), d): c ^= gf_mul(w, x)
    return c

def symbols(text):
    out, runs, in_run = [], [], False
    for ch in text:
        o = ord(ch)
        if 0xFF01 <= o <= 0xFF5E: ch = chr(o - 0xFEE0)
        if ch == "-" or 0x2010 <= ord(ch) <= 0x2015 or ch in "\u2212\u30fc\uff70" or ch.isspace():
            in_run = False; continue
        c = ch.upper() if ch.isascii() else ch
        c = {"O": "0", "I": "1", "L": "1"}.get(c, c)
        if c not in ALPHABET or not c.isascii():
            return ("invalid_character", str(min(len(out) // 5 + 1, 5)))
        out.append(ALPHABET.index(c))
        if in_run: runs[-1] += 1
        else: runs.append(1); in_run = True
    if not out: return ("empty", None)
    if len(out) != 25:
        if len(runs) == 5:
            for i, n in enumerate(runs):
                if n != 5: return ("group_length", str(i + 1))
        return ("length", str(len(out)))
    return out

def parse(kind, text):
    s = symbols(text)
    if isinstance(s, tuple): return s
    groups = [s[5 * i:5 * i + 5] for i in range(5)]
    ok = [check(kind, i + 1, g[:4]) == g[4] for i, g in enumerate(groups)]
    other = "pin-code" if kind == "recovery" else "recovery"
    ok_other = [check(other, i + 1, g[:4]) == g[4] for i, g in enumerate(groups)]
    if all(ok):
        bits = "".join(format(v, "05b") for g in groups for v in g[:4]) + "0000"
        return ("ok", bytes(int(bits[i:i + 8], 2) for i in range(0, 104, 8)))
    if all(ok_other) or (sum(ok_other) >= 3 and not any(ok)): return ("wrong_kind", other)
    return ("checksum", str(ok.index(False) + 1))

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

def bech32(hrp, data):
    def polymod(values):
        gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]
        chk = 1
        for v in values:
            b = chk >> 25; chk = (chk & 0x1ffffff) << 5 ^ v
            for i in range(5): chk ^= gen[i] if (b >> i) & 1 else 0
        return chk
    acc, bits, five = 0, 0, []
    for x in data:
        acc = acc << 8 | x; bits += 8
        while bits >= 5: bits -= 5; five.append(acc >> bits & 31)
    if bits: five.append(acc << (5 - bits) & 31)
    hx = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    pm = polymod(hx + five + [0] * 6) ^ 1
    return hrp + "1" + "".join(CHARSET[d] for d in five + [pm >> 5 * (5 - i) & 31 for i in range(6)])

def load(path):
    raw = open(path, "rb").read()
    head, _, body = raw.partition(b"\n\n")
    h = {}
    for line in head.decode().split("\n"):
        k, _, v = line.partition(": ")
        h[k.rstrip(":")] = v
    return h, body

def main(d):
    n = bad = 0
    for name in sorted(os.listdir(d)):
        h, _ = load(os.path.join(d, name))
        if h.get("area") != "code": continue
        n += 1
        res = parse(h["kind"], h["input"])
        got = res[0]
        if got == "ok":
            if res[1].hex() != h["canonical"]: got = "canonical mismatch"
            else:
                p = dict(kv.split("=") for kv in h["argon2"].split())
                label = b"certvault/v1/recovery" if h["kind"] == "recovery" else b"certvault/v1/pin-code"
                salt = label + bytes.fromhex(h["vault_id"])
                scalar = Argon2id(salt=salt, length=32, iterations=int(p["t_cost"]), lanes=int(p["p_cost"]),
                                  memory_cost=int(p["m_cost"])).derive(res[1])
                ident = bech32("age-secret-key-", scalar).upper()
                pub = X25519PrivateKey.from_private_bytes(scalar).public_key().public_bytes(
                    serialization.Encoding.Raw, serialization.PublicFormat.Raw)
                if ident != h["identity"]: got = "identity mismatch"
                elif bech32("age", pub) != h["recipient"]: got = "recipient mismatch"
        detail = h.get("group") or h.get("found") or h.get("symbols")
        if got != h["expect"] or (detail is not None and res[1] != detail):
            bad += 1; print(f"FAIL {name}: expected {h['expect']} {detail}, got {got} {res[1] if got != 'ok' else ''}")
    print(f"{n - bad} passed, {bad} failed")
    return 1 if bad else 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
