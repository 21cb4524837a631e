"""Which tests start real processes: found by reading the code, not by remembering.

A test is marked `server` when it, a fixture it uses, or a helper either of them calls
(followed through the test modules and tests/ helpers, any depth) starts another
process: gunicorn, `make`, `manage.py`, a second Python, a live server. Those tests keep
the real clock (a child process cannot share a faked one), so CI's fixed-clock runs
leave them out (`-m "not server and not browser"`), and `make test` runs them in
parallel. A new test that starts a process is marked without anyone having to
remember to.
"""

import inspect
import types

import pytest

# Words in a function's source that mean it starts a process itself.
STARTS_A_PROCESS = ("subprocess", "Popen", "os.fork", "multiprocessing", "live_server")
# ... and that it runs the Makefile or the production virtualenv it builds: such tests
# share .venv-prod and make's pid files, so they run one after another (one xdist group).
RUNS_MAKE = ('"make"', "'make'", ".venv-prod", "PROD_VENV")


def _code_objects(code: types.CodeType):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_objects(const)


def _is_ours(value) -> bool:
    module = getattr(value, "__module__", None) or getattr(value, "__name__", "")
    return module == "tests" or module.startswith("tests.")


# Reading source is most of collection's time, and the same helpers and fixtures stand
# behind hundreds of tests: each function's source is read once, and each answer that
# is certain (any True; a False from a search that finished) is kept.
_sources: dict[types.CodeType, str] = {}
_answers: dict[tuple[types.CodeType, tuple[str, ...]], bool] = {}


def _source(function) -> str:
    code = function.__code__
    if code not in _sources:
        try:
            _sources[code] = inspect.getsource(function)
        except (OSError, TypeError):
            _sources[code] = ""
    return _sources[code]


def says(function, words, _seen=None) -> bool:
    """True when ``function`` or anything of ours it names has one of ``words``."""
    function = inspect.unwrap(function)
    if not hasattr(function, "__code__"):
        return False
    key = (function.__code__, tuple(words))
    if key in _answers:
        return _answers[key]
    answer = _search(function, words, _seen if _seen is not None else set())
    # A False found inside another search may have been cut short by a cycle.
    if answer or _seen is None:
        _answers[key] = answer
    return answer


def _search(function, words, seen) -> bool:
    if id(function) in seen:
        return False
    seen.add(id(function))
    source = _source(function)
    if not source:
        return False
    if any(word in source for word in words):
        return True
    names = {name for code in _code_objects(function.__code__) for name in code.co_names}
    scopes = [function.__globals__]
    scopes += [
        vars(value)
        for name in names
        if isinstance(value := function.__globals__.get(name), types.ModuleType) and _is_ours(value)
    ]
    for scope in scopes:
        for name in names:
            value = scope.get(name)
            if callable(value) and _is_ours(value) and says(value, words, seen):
                return True
    return False


def item_says(item, words) -> bool:
    """A collected test: its own code, or any fixture it uses (their code, any depth)."""
    if says(item.function, words):
        return True
    definitions = getattr(item, "_fixtureinfo", None)
    for fixture_defs in definitions.name2fixturedefs.values() if definitions else ():
        for fixture_def in fixture_defs:
            if _is_ours(fixture_def.func) and says(fixture_def.func, words):
                return True
    return False


def mark(item) -> None:
    """Add `server` (and the `make` xdist group) where the code says so."""
    if item.get_closest_marker("browser") is None and item_says(item, STARTS_A_PROCESS):
        item.add_marker(pytest.mark.server)
    # pytest-xdist (--dist loadgroup) keeps a group on one worker: the `make` tests
    # together, every other file whole, so a module's browser or server is started once.
    group = "make" if item_says(item, RUNS_MAKE) else item.nodeid.split("::")[0]
    item.add_marker(pytest.mark.xdist_group(group))
