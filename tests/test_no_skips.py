"""The suite's own rule: a skip, at run time or at collection, fails the run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SUITE = '''
import pytest

def test_passes():
    pass

def test_skips():
    pytest.skip("no browser here")

@pytest.mark.skipif(True, reason="never on this machine")
def test_marked():
    pass

@pytest.mark.xfail(reason="a known bug, not a skip")
def test_expected_failure():
    assert False
'''


def run_pytest(tmp_path: Path, source: str) -> subprocess.CompletedProcess:
    (tmp_path / "test_sample.py").write_text(source)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.no_skips", "-p", "no:cacheprovider", "-q", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )


def test_skips_fail_the_run(tmp_path: Path) -> None:
    result = run_pytest(tmp_path, SUITE)
    assert result.returncode == 1, result.stdout
    # A skip in the test body fails it; a skipif mark skips in setup, which becomes an error.
    assert "1 failed, 1 passed, 1 xfailed, 1 error" in result.stdout, result.stdout
    assert "no browser here" in result.stdout and "never on this machine" in result.stdout


def test_a_skipped_module_fails_the_run(tmp_path: Path) -> None:
    result = run_pytest(tmp_path, 'import pytest\npytest.importorskip("no_such_module_here")\n')
    assert result.returncode != 0, result.stdout
    assert "no_such_module_here" in result.stdout, result.stdout
