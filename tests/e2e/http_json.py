"""JSON over HTTP for the e2e scripts' embedded Python: a POST that returns (status, body) whatever the
status, and a check that fails the script with a message."""
import json
import sys
import urllib.error
import urllib.request


def poster(url):
    def post(path, body):
        req = urllib.request.Request(url + path, json.dumps(body).encode(), {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req) as r:
                return r.status, json.load(r)
        except urllib.error.HTTPError as e:
            return e.code, json.load(e)
    return post


def check(cond, what):
    if not cond:
        sys.exit("FAIL: " + what)
