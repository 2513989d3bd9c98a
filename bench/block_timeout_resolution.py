#!/usr/bin/env python3
"""block_timeout_resolution.py PORT [PORT ...]: how long a blocking command with a short time-out
takes to answer it, on each server given (for example redis-server and strata-server side by
side). Sends `BLPOP <missing key> T` for T = 0.01 s (11 times) and 0.25 s (3 times) on a fresh
connection each and prints the median time to the reply, in milliseconds. A server that checks
time-outs on its `hz` tick answers late (100 ms ticks at hz 10). Not a pass/fail test: timing
depends on the machine. Needs only python3."""
import socket
import sys
import time


def blpop(port, timeout):
    s = socket.create_connection(("127.0.0.1", port))
    arg = timeout.encode()
    cmd = b"*3\r\n$5\r\nBLPOP\r\n$21\r\nblock-timeout-probe:0\r\n$%d\r\n%s\r\n" % (len(arg), arg)
    start = time.monotonic()
    s.sendall(cmd)
    s.recv(100)
    s.close()
    return (time.monotonic() - start) * 1000


for port in map(int, sys.argv[1:]):
    short = sorted(blpop(port, "0.01") for _ in range(11))[5]
    long = sorted(blpop(port, "0.25") for _ in range(3))[1]
    print(f"{port}: BLPOP 0.01 answered after {short:.1f} ms, BLPOP 0.25 after {long:.1f} ms (medians)")
