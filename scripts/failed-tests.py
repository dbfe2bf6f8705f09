#!/usr/bin/env python3
"""Prints each failed test in the given TRX files with the first lines of its message, so a CI log's tail names them."""
import sys
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"
FAILED = {"Failed", "Error", "Timeout", "Aborted"}

for path in sys.argv[1:]:
    for result in ET.parse(path).getroot().iter(NS + "UnitTestResult"):
        if result.get("outcome") not in FAILED:
            continue
        print(f"FAILED {result.get('testName')} ({result.get('duration')})")
        message = result.find(f"{NS}Output/{NS}ErrorInfo/{NS}Message")
        lines = (message.text or "").strip().splitlines() if message is not None else []
        for line in lines[:12]:
            print(f"    {line[:300]}")
        stack = result.find(f"{NS}Output/{NS}ErrorInfo/{NS}StackTrace")
        frames = [l.strip() for l in (stack.text or "").splitlines() if "Compliance." in l] if stack is not None else []
        for frame in frames[:4]:
            print(f"    {frame[:300]}")
