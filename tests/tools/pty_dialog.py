#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal and holds a scripted dialog with it: wait until the
output (since the previous answer) matches a pattern, then type the answer and Enter (a lone
control character such as Ctrl-C, "\u0003", is pressed without Enter).

Usage: pty_dialog.py SCRIPT.json -- COMMAND...
SCRIPT.json is a list of [regex, answer] pairs. After the last pair the command runs to its end.
The whole transcript goes to standard output. Exit status: the command's, or 99 when a
pattern did not show up within the timeout (then the transcript says where it stopped)."""
import json
import os
import pty
import re
import select
import sys
import time

TIMEOUT = 120

script = json.load(open(sys.argv[1], encoding="utf-8"))
cmd = sys.argv[sys.argv.index("--") + 1:]

pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)

transcript = b""
pending = b""


def read_some(wait):
    """Reads what the command printed within `wait` seconds; False at its end."""
    global transcript, pending
    ready, _, _ = select.select([fd], [], [], wait)
    if not ready:
        return True
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        return False
    if not chunk:
        return False
    transcript += chunk
    pending += chunk
    return True


alive = True
for pattern, answer in script:
    regex = re.compile(pattern.encode("utf-8"))
    deadline = time.time() + TIMEOUT
    while not regex.search(pending):
        if not alive or time.time() > deadline:
            sys.stdout.write(transcript.decode("utf-8", "replace"))
            sys.stdout.write("\n[pty_dialog: no match for %r]\n" % pattern)
            try:
                os.kill(pid, 9)
            except OSError:
                pass
            sys.exit(99)
        alive = read_some(0.2)
    pending = b""
    time.sleep(0.05)
    # A lone control key (Ctrl-C) is pressed as it is: a real user presses no Enter after it,
    # and an Enter queued behind it would race the program's interrupt handler.
    lone_control = len(answer) == 1 and ord(answer) < 0x20
    os.write(fd, answer.encode("utf-8") + (b"" if lone_control else b"\r"))

deadline = time.time() + TIMEOUT
while alive and time.time() < deadline:
    alive = read_some(0.2)
_, status = os.waitpid(pid, 0)
sys.stdout.write(transcript.decode("utf-8", "replace"))
sys.exit(os.waitstatus_to_exitcode(status))
