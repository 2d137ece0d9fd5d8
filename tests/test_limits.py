"""Bounded derivations (DESIGN principle 6): a step past its limit fails that step only."""
import json
import subprocess
import sys

import pytest

from symfisher.limits import StepTimeout, time_limit


def _spin():
    while True:
        pass


def test_inner_limit_speaks_first():
    with pytest.raises(StepTimeout) as info:
        with time_limit(5, "outer"):
            with time_limit(0.2, "inner"):
                _spin()
    assert info.value.step == "inner"


def test_a_swallowed_timeout_fires_again_until_the_block_is_left():
    with pytest.raises(StepTimeout) as info:
        with time_limit(0.3, "budget"):
            try:
                _spin()
            except StepTimeout:  # a fallback that swallows the first alarm
                pass
            _spin()  # ... is interrupted again
    assert info.value.step == "budget"


def test_intractable_density_fails_its_steps_and_derives_the_rest():
    """A two-component mixture: its Fisher information has no closed form."""
    cmd = [sys.executable, "-m", "symfisher", "derive", "--density", "(1-t)*exp(-x) + 2*t*exp(-2*x)",
           "--var", "x in (0, oo)", "--param", "t in (0, 1)", "--time-limit", "2", "--json"]
    # the subprocess timeout is a hang guard, far above the derivation's own bounds
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                         env={**__import__("os").environ, "SYMFISHER_NO_CACHE": "1"})
    assert out.returncode == 0, out.stderr
    obj = json.loads(out.stdout)
    assert obj["score"] is not None and obj["hessian"] is not None
    assert obj["fisher"] is None and obj["fisher_routes_agree"] is False
    steps = {f["step"] for f in obj["failures"]}
    assert any(s.startswith("fisher") for s in steps)
    assert all(f["reason"] for f in obj["failures"])


def test_leaving_an_inner_block_after_the_outer_expired_still_interrupts():
    """The inner block's exit re-arms the timer for the outer deadline, already past."""
    import time

    with pytest.raises(StepTimeout) as info:
        with time_limit(0.3, "outer"):
            try:
                with time_limit(5, "inner"):
                    _spin()
            except StepTimeout:  # swallowed once, by code inside the outer block
                pass
            t0 = time.monotonic()
            _spin()
    assert info.value.step == "outer" and time.monotonic() - t0 < 1.0


def _cli(args, env_extra=None, timeout=300):
    import os

    env = {**os.environ, "SYMFISHER_NO_CACHE": "1", **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "symfisher", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


@pytest.mark.parametrize("value", ["0", "-5", "inf", "nan", "abc", "1e300"])
def test_an_invalid_environment_limit_is_one_line_and_exit_2(value):
    out = _cli(["derive", "poisson", "--json", "--only", "fisher"], {"SYMFISHER_TIME_LIMIT": value})
    assert out.returncode == 2, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "SYMFISHER_TIME_LIMIT" in lines[0] and "Traceback" not in out.stderr
    assert out.stdout == ""


def test_validate_env_and_seconds(monkeypatch):
    from symfisher import limits

    monkeypatch.setenv("SYMFISHER_TIME_LIMIT", "abc")
    with pytest.raises(limits.LimitError, match="SYMFISHER_TIME_LIMIT=abc"):
        limits.validate_env()
    monkeypatch.setenv("SYMFISHER_TIME_LIMIT", "7.5")
    assert limits.validate_env() in (7.5, limits.default_limit())
    for bad in (0, -1, float("inf"), float("nan"), 1e300):
        with pytest.raises(limits.LimitError):
            limits.validate_seconds(bad, "--time-limit")


def test_a_zero_limit_has_expired_rather_than_meaning_no_limit():
    ran = []
    with pytest.raises(StepTimeout):
        with time_limit(0, "used up"):
            ran.append(1)
    assert ran == []


def test_leaving_the_outermost_limit_clears_the_timer_and_restores_the_handler():
    import signal

    before = signal.getsignal(signal.SIGALRM)
    with pytest.raises(StepTimeout):
        with time_limit(0.1, "step"):
            _spin()
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before


def test_a_stray_alarm_inside_a_session_never_raises():
    import signal
    import time

    from symfisher.limits import session

    before = signal.getsignal(signal.SIGALRM)
    with session():
        with time_limit(5, "short step"):
            pass
        signal.setitimer(signal.ITIMER_REAL, 0.01)  # an alarm with no deadline active
        time.sleep(0.1)
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_an_alarm_inside_a_gc_callback_waits_for_ordinary_code():
    import gc
    import time

    seen = []

    def slow_callback(phase, info):  # like hypothesis' gc timer: exceptions here are swallowed
        if phase == "start":
            t0 = time.monotonic()
            while time.monotonic() - t0 < 0.3:
                pass

    old_hook = sys.unraisablehook
    sys.unraisablehook = lambda u: seen.append(u)
    gc.callbacks.append(slow_callback)
    try:
        with pytest.raises(StepTimeout):
            with time_limit(0.1, "step"):
                gc.collect()
                _spin()
    finally:
        gc.callbacks.remove(slow_callback)
        sys.unraisablehook = old_hook
    assert seen == []


def test_many_swallowed_timeouts_never_kill_the_process():
    """The alarm must never reach the default disposition (death by SIGALRM, exit -14)."""
    code = (
        "from symfisher.limits import time_limit, StepTimeout\n"
        "import time\n"
        "for i in range(300):\n"
        "    try:\n"
        "        with time_limit(0.002, 'a'):\n"
        "            try:\n"
        "                with time_limit(0.001, 'b'):\n"
        "                    sum(range(20000))\n"
        "            except StepTimeout:\n"
        "                pass\n"
        "            sum(range(20000))\n"
        "    except StepTimeout:\n"
        "        pass\n"
        "time.sleep(0.3)\n"
        "print('alive')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "alive", (out.returncode, out.stderr[-500:])
