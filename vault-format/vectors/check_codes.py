"""Independent check of the code and share vectors, written from SPEC.md §1, §3 and §4 only.

Needs Python 3.9+ and the `cryptography` package (>= 44 for its Argon2id; with an older one,
Argon2id comes from `argon2-cffi`).
Usage: python3 check_codes.py path/to/vectors/testkit
"""
import hashlib, os, sys, unicodedata
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

# Unicode White_Space (SPEC.md §3.4); not str.isspace(), which also takes U+001C-U+001F.
WHITE_SPACE = set("\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") | {
    chr(c) for c in range(0x2000, 0x200B)}

def symbols(text, groups=5):
    out, runs, in_run = [], [], False
    for ch in text:
        o = ord(ch)
        if 0xFF01 <= o <= 0xFF5E: ch = chr(o - 0xFEE0)
        if ch == "-" or 0x2010 <= ord(ch) <= 0x2015 or ch in "\u2212\u30fc\uff70" or ch in WHITE_SPACE:
            in_run = False; continue
        c = ch.upper() if ch.isascii() else ch
        c = {"O": "0", "I": "1", "L": "1"}.get(c, c)
        if c not in ALPHABET or not c.isascii():
            return ("invalid_character", str(min(len(out) // 5 + 1, groups)))
        out.append(ALPHABET.index(c))
        if in_run: runs[-1] += 1
        else: runs.append(1); in_run = True
    if not out: return ("empty", None)
    if len(out) != 5 * groups:
        if groups == 7 and len(out) == 25 and any(parse(k, text)[0] == "ok" for k in ("recovery", "pin-code")):
            return ("is_code", None)
        if len(runs) == groups:
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

# SPEC.md §3.6: shares.

def gf256_mul(a, b):
    r = 0
    while b:
        if b & 1: r ^= a
        b >>= 1; a <<= 1
        if a & 0x100: a ^= 0x11d
    return r

def gf256_inv(a):
    return next(x for x in range(1, 256) if gf256_mul(a, x) == 1)

def parse_share(text):
    """§3.6.3 in its order: ("ok", (K, i, set id, y)) or (outcome, detail)."""
    s = symbols(text, 7)
    if isinstance(s, tuple): return s
    groups = [s[5 * i:5 * i + 5] for i in range(7)]
    for i, g in enumerate(groups):
        c = (i + 1) ^ 8
        for w, x in zip((2, 4, 8, 16), g[:4]): c ^= gf_mul(w, x)
        if c != g[4]: return ("checksum", str(i + 1))
    k, i, set_id = groups[0][0], groups[0][1], groups[0][2] << 5 | groups[0][3]
    if not (2 <= k <= 9 and 1 <= i <= 9): return ("not_a_share", None)
    bits = "".join(format(v, "05b") for g in groups[1:] for v in g[:4])
    raw = bytes(int(bits[j:j + 8], 2) for j in range(0, 120, 8))
    y, t = raw[:13], raw[13:]
    canonical = bytes([k, i]) + set_id.to_bytes(2, "big") + y
    if hashlib.sha256(b"certvault/v1/share" + canonical).digest()[:2] != t: return ("share_checksum", None)
    return ("ok", (k, i, set_id, y))

def combine(shares):
    """§3.6.4: ("ok", R's canonical value) or (outcome, detail)."""
    k, _, set_id, _ = shares[0]
    seen = {}
    for s in shares:
        if s[0] != k or s[2] != set_id: return ("different_splits", None)
        if s[1] in seen:
            return ("different_splits", None) if seen[s[1]] != s[3] else ("duplicate", str(s[1]))
        seen[s[1]] = s[3]
    if len(seen) < k: return ("not_enough", str(len(seen)))
    xs = list(seen)
    def at_zero(points):
        out = bytearray(13)
        for xi in points:
            coef = 1
            for xm in points:
                if xm != xi: coef = gf256_mul(coef, gf256_mul(xm, gf256_inv(xm ^ xi)))
            for j in range(13): out[j] ^= gf256_mul(seen[xi][j], coef)
        return bytes(out)
    r = at_zero(xs[:k])
    if any(at_zero(xs[:k - 1] + [x]) != r for x in xs[k:]) or r[12] & 15: return ("inconsistent", None)
    return ("ok", r)

def written(canonical, kind="recovery"):
    bits = "".join(format(b, "08b") for b in canonical)[:100]
    d = [int(bits[j:j + 5], 2) for j in range(0, 100, 5)]
    return "-".join("".join(ALPHABET[v] for v in d[4 * g:4 * g + 4] + [check(kind, g + 1, d[4 * g:4 * g + 4])])
                    for g in range(5))

def run_share(h):
    shares = []
    for text in h["inputs"].split(", "):
        res = parse_share(text)
        if res[0] != "ok": return res
        shares.append(res[1])
    res = combine(shares)
    if res[0] == "ok" and written(res[1]) != h["recovery_code"]: return ("another recovery code", None)
    return res

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
        if h.get("area") not in ("code", "share"): continue
        n += 1
        res = parse(h["kind"], h["input"]) if h["area"] == "code" else run_share(h)
        got = res[0]
        if got == "ok" and h["area"] == "share":
            pass
        elif got == "ok":
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
        detail = h.get("group") or h.get("found") or h.get("symbols") or h.get("index") or h.get("have")
        if got != h["expect"] or (detail is not None and res[1] != detail):
            bad += 1; print(f"FAIL {name}: expected {h['expect']} {detail}, got {got} {res[1] if got != 'ok' else ''}")
    print(f"{n - bad} passed, {bad} failed")
    return 1 if bad else 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
