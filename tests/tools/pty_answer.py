#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal and answers its prompts, for tools that read secrets
only from a terminal (the stock `age -d` / `age -p` passphrase prompt).

Usage: pty_answer.py ANSWERS_FILE -- COMMAND...
ANSWERS_FILE holds one answer per line; each is typed when the program next waits for input.
Exit status is the command's. Everything the command prints goes to our stderr."""
import os
import pty
import select
import sys
import time

answers_file = sys.argv[1]
cmd = sys.argv[sys.argv.index("--") + 1:]
answers = open(answers_file, encoding="utf-8").read().splitlines()

pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)

output = b""
deadline = time.time() + 60
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.2)
    if ready:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
        # age prints "Enter passphrase" / "Confirm passphrase" prompts.
        lowered = chunk.lower()
        if answers and (b"passphrase" in lowered or b":" in chunk[-3:]):
            time.sleep(0.05)
            os.write(fd, answers.pop(0).encode() + b"\r")
    else:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
_, status = os.waitpid(pid, 0)
sys.stderr.write(output.decode("utf-8", "replace"))
sys.exit(os.waitstatus_to_exitcode(status))
