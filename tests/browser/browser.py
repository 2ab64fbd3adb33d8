"""A Python handle on tests/browser/driver.mjs: Debian's Chromium driven by playwright-core.

Each method sends one JSON command and returns the answer's value; a failed command raises
AssertionError after saving a screenshot of the page as it was, so failures can be seen.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DRIVER = HERE / "driver.mjs"
CHROMIUM = os.environ.get("FCWH_CHROMIUM", "/usr/bin/chromium")
# One action (Playwright waits up to 60 s itself); the reply may take a little longer than that.
REPLY_DEADLINE = 120.0


def missing_tools() -> list[str]:
    """What the browser tests need and this machine lacks."""
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if shutil.which("node") is None:
        missing.append("node")
    if not (HERE / "node_modules" / "playwright-core").is_dir():
        missing.append("tests/browser/node_modules/playwright-core (make node-deps)")
    return missing


class Browser:
    def __init__(self, screenshots: Path, log_path: Path) -> None:
        self.screenshots = screenshots
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.failure_shots = 0

    def start(self) -> "Browser":
        env = dict(os.environ, FCWH_CHROMIUM=CHROMIUM, FCWH_SCREENSHOTS=str(self.screenshots))
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                ["node", str(DRIVER)], cwd=HERE, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=log, start_new_session=True,
            )
        return self

    def close(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                self._send({"cmd": "close"})
                self.process.wait(30)
            except (OSError, subprocess.TimeoutExpired, AssertionError):
                self.process.kill()
                self.process.wait(30)
        for stream in (self.process.stdin, self.process.stdout):
            stream.close()
        self.process = None

    # -- the protocol ----------------------------------------------------------------------------
    def _send(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.process is not None and self.process.poll() is None, (
            f"the browser driver is not running; its log:\n{self.log_tail()}")
        self.process.stdin.write((json.dumps(request) + "\n").encode())
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], REPLY_DEADLINE)
        if not ready:
            raise AssertionError(f"no answer from the browser driver to {request} within {REPLY_DEADLINE:.0f} s")
        line = self.process.stdout.readline()
        if not line:
            raise AssertionError(f"the browser driver ended; its log:\n{self.log_tail()}")
        return json.loads(line)

    def command(self, cmd: str, **arguments: Any) -> Any:
        answer = self._send({"cmd": cmd, **arguments})
        if not answer["ok"]:
            self.failure_shots += 1
            shot = self._send({"cmd": "screenshot", "name": f"failure-{self.failure_shots}"})
            url = self._send({"cmd": "url"})
            raise AssertionError(f"browser {cmd} {arguments} failed at {url.get('value')}: {answer['error']}"
                                 f" (screenshot: {shot.get('value')})")
        return answer["value"]

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    # -- what the tests call ---------------------------------------------------------------------
    def goto(self, url: str) -> str:
        return self.command("goto", url=url)

    def url(self) -> str:
        return self.command("url")

    def click(self, selector: str) -> None:
        self.command("click", selector=selector)

    def fill(self, selector: str, value: str) -> None:
        self.command("fill", selector=selector, value=value)

    def check(self, selector: str) -> None:
        self.command("check", selector=selector)

    def uncheck(self, selector: str) -> None:
        self.command("uncheck", selector=selector)

    def select(self, selector: str, value: str) -> None:
        self.command("select", selector=selector, value=value)

    def focus(self, selector: str) -> None:
        self.command("focus", selector=selector)

    def press(self, key: str) -> None:
        self.command("press", key=key)

    def type(self, text: str) -> None:
        """Types into whatever has the focus, key by key."""
        self.command("type", text=text)

    def text(self, selector: str) -> str:
        return self.command("text", selector=selector)

    def texts(self, selector: str) -> list[str]:
        return self.command("texts", selector=selector)

    def value(self, selector: str) -> str:
        return self.command("value", selector=selector)

    def attribute(self, selector: str, name: str) -> str | None:
        return self.command("attribute", selector=selector, name=name)

    def count(self, selector: str) -> int:
        return self.command("count", selector=selector)

    def html(self) -> str:
        return self.command("html")

    def wait_for(self, selector: str, text: str | None = None, state: str = "visible") -> None:
        arguments: dict[str, Any] = {"selector": selector, "state": state}
        if text is not None:
            arguments["text"] = text
        self.command("waitFor", **arguments)

    def evaluate(self, expression: str) -> Any:
        return self.command("eval", expression=expression)

    def screenshot(self, name: str) -> Path:
        return Path(self.command("screenshot", name=name))

    def dialogs(self, accept: bool = True) -> list[str]:
        """The dialogs shown since the last call; later ones are accepted or dismissed."""
        return self.command("dialogs", accept=accept)

    def problems(self) -> list[str]:
        """Uncaught exceptions and console errors in the page since the last call."""
        return self.command("problems")
