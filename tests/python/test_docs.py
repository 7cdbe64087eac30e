"""The documentation is tested like code: every cpp, python and console
snippet in README.md and docs/ runs (conventions in docs/guide/README.md);
the report reference names exactly the checks the sources can emit; the CLI
reference covers every verb `verinfer --help` lists with every option its
--help shows; the Python page names every public name, each of which has a
docstring; Doxygen finds no undocumented or wrongly documented API."""
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import BUILD, DEVNET_RUN, ROOT, VECTORS

BUILD = BUILD.resolve()  # snippets run in another directory

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
GUIDE = ROOT / "docs" / "guide"
RUN_LANGS = ("cpp", "python", "console")


# ---- snippets ----

@dataclass(frozen=True)
class Snippet:
    path: Path
    line: int  # first line of the code, 1-based
    lang: str
    code: str
    marker: str  # "", "devnet" or "no-run"

    def __str__(self):
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def extract_snippets(path: Path):
    lines = path.read_text().splitlines()
    marker, i = "", 0
    while i < len(lines):
        line = lines[i]
        found = re.fullmatch(r"<!-- snippet: ([a-z-]+) -->", line.strip())
        fence = re.match(r"^```(\w*)\s*$", line)
        if found:
            marker = found.group(1)
            assert marker in ("devnet", "no-run"), f"{path}:{i + 1}: unknown snippet marker {marker}"
        elif fence:
            end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
            yield Snippet(path, i + 2, fence.group(1), "\n".join(lines[i + 1:end]) + "\n", marker)
            marker, i = "", end
        elif line.strip():
            marker = ""  # a marker belongs to the block right after it
        i += 1


SNIPPETS = [s for path in DOCS for s in extract_snippets(path) if s.lang in RUN_LANGS]
DEVNET_PAYER_KEY = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"  # anvil account 3


@pytest.fixture(scope="session")
def scratch(tmp_path_factory):
    """The directory snippets run in, with the files the guide promises."""
    import json
    d = tmp_path_factory.mktemp("snippets")
    case = VECTORS / "tee_response" / "cases" / "02_chat_system_user_temp07_unhashed_fields"
    files = {
        "request.json": case / "request.json",
        "response.json": case / "response.json",
        "tee_key.pem": VECTORS / "tee_response" / "keys" / "tee_public_key.pem",
        "attestation.b64": VECTORS / "nitro" / "attestation_doc.b64",
        "aws_nitro_root_g1.pem": VECTORS / "nitro" / "aws_nitro_root_g1.pem",
        "batch.json": VECTORS / "merkle" / "tree_3.dump.json",
        "payment_response.b64": VECTORS / "x402" / "spec_examples" / "payment_response_success.b64",
        "required.b64": VECTORS / "x402" / "generated" / "exact_payment_required.b64",
    }
    for name, source in files.items():
        shutil.copy(source, d / name)
    mail = json.loads((VECTORS / "eip712" / "cases.json").read_text())["cases"][0]
    assert mail["name"] == "eip712_spec_mail"
    (d / "mail.json").write_text(json.dumps(mail["typed_data"], indent=1))
    (d / "payer.key").write_text(DEVNET_PAYER_KEY + "\n")
    return d


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(BUILD / "python") + os.pathsep + env.get("PYTHONPATH", "")
    env["PATH"] = str(BUILD) + os.pathsep + env.get("PATH", "")
    return env


def _link_libraries():
    """The link line CMake uses for an example program: libverinfer.a and its deps."""
    ninja = (BUILD / "build.ninja").read_text()
    block = ninja[ninja.index("build examples/example_primitives:"):]
    libs = re.search(r"^\s+LINK_LIBRARIES = (.*)$", block, re.M).group(1).split()
    return [str(BUILD / lib) if lib.startswith("lib") and lib.endswith(".a") else lib for lib in libs]


def _cpp_source(code: str) -> str:
    if re.search(r"\bint main\(", code):
        return code
    includes = [line for line in code.splitlines() if line.startswith("#include")]
    body = [line for line in code.splitlines() if not line.startswith("#include")]
    return "\n".join(["#include <verinfer/verinfer.hpp>", "#include <cstdio>", *includes,
                      "int main() {", *body, "  return 0;", "}", ""])


def _run_cpp(snippet, cwd, env):
    source = cwd / f"snippet_{snippet.path.stem}_{snippet.line}.cpp"
    exe = cwd / f"snippet_{snippet.path.stem}_{snippet.line}"
    source.write_text(_cpp_source(snippet.code))
    build = subprocess.run(
        ["g++", "-std=c++23", "-Wall", "-Wextra", "-Wpedantic", "-Wshadow", "-Wconversion",
         "-Wno-sign-conversion", "-Werror", f"-I{ROOT / 'include'}", str(source), "-o", str(exe),
         *_link_libraries()], capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, f"{snippet} does not compile:\n{build.stderr}"
    run = subprocess.run([str(exe)], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"{snippet} exited {run.returncode}:\n{run.stdout}\n{run.stderr}"


def _line_matches(pattern: str, line: str) -> bool:
    return re.fullmatch(".*".join(re.escape(p) for p in pattern.split("...")), line) is not None


def output_matches(expected, actual) -> bool:
    """Doctest-style: a line "..." matches any lines, "..." in a line any text."""
    if not expected:
        return not actual
    if expected[0] == "...":
        return any(output_matches(expected[1:], actual[k:]) for k in range(len(actual) + 1))
    return bool(actual) and _line_matches(expected[0], actual[0]) and \
        output_matches(expected[1:], actual[1:])


def console_commands(code: str):
    """(command, expected output lines) pairs of a console block."""
    commands = []
    for line in code.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        else:
            assert commands, f"output before the first command: {line}"
            commands[-1][1].append(line)
    return commands


def _run_console(snippet, cwd, env):
    for command, expected in console_commands(snippet.code):
        run = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True,
                             text=True, timeout=120)
        actual = run.stdout.splitlines() + ([f"[exit {run.returncode}]"] if run.returncode else [])
        assert output_matches(expected, actual), \
            f"{snippet}: $ {command}\nexpected:\n" + "\n".join(expected) + \
            "\ngot:\n" + "\n".join(actual) + f"\nstderr:\n{run.stderr}"


@pytest.mark.parametrize("snippet", [s for s in SNIPPETS if s.marker != "no-run"], ids=str)
def test_snippet_runs(snippet, scratch, request):
    env = _env()
    if snippet.marker == "devnet":
        profile = request.getfixturevalue("devnet")
        env["VERINFER_DEVNET_PROFILE"] = str(DEVNET_RUN / "profile.json")
        (scratch / "payer.key").write_text(profile["testPayer"]["privateKey"] + "\n")
    if snippet.lang == "cpp":
        _run_cpp(snippet, scratch, env)
    elif snippet.lang == "python":
        run = subprocess.run([sys.executable, "-c", snippet.code], cwd=scratch, env=env,
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, f"{snippet} failed:\n{run.stdout}\n{run.stderr}"
    else:
        _run_console(snippet, scratch, env)


def test_snippets_are_found_and_few_are_skipped():
    langs = {lang: sum(s.lang == lang for s in SNIPPETS) for lang in RUN_LANGS}
    assert all(count >= 2 for count in langs.values()), langs
    skipped = [str(s) for s in SNIPPETS if s.marker == "no-run"]
    assert len(skipped) <= len(SNIPPETS) // 5, f"too many snippets not run: {skipped}"


def test_output_matching_rules():
    assert output_matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert output_matches(["a", "...", "b"], ["a", "b"])
    assert output_matches(['{"x":1,...}'], ['{"x":1,"y":2}'])
    assert not output_matches(["a", "...", "d"], ["a", "b", "c"])
    assert not output_matches(["a"], ["a", "b"])
    assert not output_matches(['{"x":1,...}'], ['{"x":2,"y":2}'])


# ---- the report reference names every check ----

CHECK_PREFIXES = ("tee_response", "near_response", "nitro", "registry", "settlement", "x402",
                  "payment", "client", "attestation", "ohttp_config", "ohttp")
CHECK_LITERAL = re.compile(r'"((?:%s)\.[a-z0-9_.]*)"(\s*\+)?' % "|".join(CHECK_PREFIXES))
# Dotted literals that are JSON paths (profile.json fields, receipt fields), not checks.
JSON_PATH_CONTEXT = re.compile(r'(\b(text_at|address_at|at)\(\w+, |\bbad\()$')


def _code_lines():
    for path in sorted([*(ROOT / "src").rglob("*.[ch]pp"), *(ROOT / "include").rglob("*.hpp")]):
        for line in path.read_text().splitlines():
            if line.lstrip().startswith("//"):
                continue
            yield re.sub(r"\s//.*$", "", line)


def source_check_names():
    """(static names, dynamic name prefixes such as "nitro.pcr" + N)."""
    static, dynamic = set(), set()
    for line in _code_lines():
        for m in CHECK_LITERAL.finditer(line):
            if JSON_PATH_CONTEXT.search(line[:m.start()]):
                continue
            (dynamic if m.group(2) else static).add(m.group(1))
    return static, dynamic


def documented_check_names():
    rows = re.findall(r"^\| `([^`]+)` \|", (GUIDE / "report.md").read_text(), re.M)
    return {r for r in rows if r.split(".")[0] in CHECK_PREFIXES}


def test_every_check_name_in_the_code_is_in_the_report_reference():
    static, dynamic = source_check_names()
    assert "tee_response.signature" in static and "nitro.pcr" in dynamic  # the scan works
    documented = documented_check_names()
    missing = sorted(static - documented) + \
        sorted(d + "<...>" for d in dynamic if not any(n.startswith(d + "<") for n in documented))
    assert not missing, f"checks missing from docs/guide/report.md: {missing}"


def test_every_check_in_the_report_reference_exists():
    static, dynamic = source_check_names()
    stale = [n for n in documented_check_names()
             if (n.split("<")[0] not in dynamic if "<" in n else n not in static)]
    assert not stale, f"docs/guide/report.md names checks the code does not emit: {stale}"


def test_every_reported_check_uses_a_known_prefix():
    """A check named with a new prefix would escape the scan above."""
    firsts = set()
    for line in _code_lines():
        firsts.update(re.findall(r'\.(?:pass|fail)\("([^"]+)"', line))
        firsts.update(re.findall(r'string_view k\w+ = "([a-z0-9_]+\.[a-z0-9_.]+)"', line))
    unknown = sorted(n for n in firsts if n.split(".")[0] not in CHECK_PREFIXES)
    assert not unknown, f"add these prefixes to CHECK_PREFIXES: {unknown}"


# ---- the CLI reference covers every verb and option ----

def cli_verbs(cli):
    text = subprocess.run([str(cli), "--help"], capture_output=True, text=True, check=True).stdout
    listing = text.split("commands:", 1)[1]
    return [m.group(1) for m in re.finditer(r"^  (\S+(?: \S+)*?)\s{2,}\S", listing, re.M)]


def cli_sections():
    """Each verb's section of cli.md, with the text of the pages it links to
    (serve's options may live in docs/serve.md)."""
    text = (GUIDE / "cli.md").read_text()
    parts = re.split(r"^### verinfer (.+)$", text, flags=re.M)
    sections = {}
    for i in range(1, len(parts), 2):
        section = parts[i + 1].split("\n## ")[0]
        for link in re.findall(r"\]\(([^)#:]+\.md)", section):
            section += (GUIDE / link).read_text()
        sections[parts[i].strip()] = section
    return sections


def test_every_cli_verb_and_option_is_documented(cli):
    verbs = cli_verbs(cli)
    assert "verify-response" in verbs and "settlement check" in verbs, verbs
    sections = cli_sections()
    assert sorted(sections) == sorted(verbs), \
        f"docs/guide/cli.md sections {sorted(sections)} differ from `verinfer --help` {sorted(verbs)}"
    for verb in verbs:
        usage = subprocess.run([str(cli), *verb.split(), "--help"], capture_output=True, text=True,
                               check=True).stdout
        options = set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", usage)) - {"--help", "--json"}
        missing = sorted(o for o in options
                         if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(o), sections[verb]))
        assert not missing, f"`verinfer {verb}` options missing from docs/guide/cli.md: {missing}"


# ---- the Python API: documented and with docstrings ----

def _python_package():
    sys.path.insert(0, str(BUILD / "python"))
    import verinfer
    return verinfer


def _has_docstring(obj) -> bool:
    doc = (getattr(obj, "__doc__", None) or "").strip()
    if not doc:
        return False
    first = doc.splitlines()[0]
    name = getattr(obj, "__name__", "")
    if name and first.startswith(f"{name}(") and len(doc.splitlines()) == 1:
        return False  # only the signature pybind11 or dataclasses write themselves
    return True


def test_every_public_python_name_has_a_docstring():
    verinfer = _python_package()
    missing = []
    for name in verinfer.__all__:
        obj = getattr(verinfer, name)
        if not _has_docstring(obj):
            missing.append(name)
        if isinstance(obj, type):
            for attr, value in vars(obj).items():
                if attr.startswith("_"):
                    continue
                target = value.__func__ if isinstance(value, (classmethod, staticmethod)) else value
                if callable(target) or isinstance(target, property):
                    if not _has_docstring(target):
                        missing.append(f"{name}.{attr}")
    assert not missing, f"public Python API without a docstring: {missing}"


def test_every_public_python_name_is_in_the_python_guide():
    verinfer = _python_package()
    text = (GUIDE / "python.md").read_text()
    missing = [n for n in verinfer.__all__ if not re.search(r"`(verinfer\.)?%s[`(]" % n, text)]
    assert not missing, f"docs/guide/python.md does not mention: {missing}"


# ---- the C++ API reference: Doxygen finds nothing undocumented or wrong ----

# Data members and enumerators may go without a comment when their name says
# it all; so may defaulted comparisons and copy/move members.
DOXYGEN_ALLOWED = re.compile(
    r"\((variable|enumvalue)\) of (struct|class|union) |\(friend\) of "
    r"|Member operator=\(|Member (\w+)\((const )?\3 &")


def doxygen_problems(log_text: str):
    return [w for w in log_text.splitlines() if w.strip() and not DOXYGEN_ALLOWED.search(w)]


def test_doxygen_filter_keeps_what_matters():
    kept = doxygen_problems(
        "a.hpp:1: warning: Member x (variable) of struct verinfer::A is not documented.\n"
        "a.hpp:2: warning: Member B(B &&) noexcept (function) of class verinfer::B is not documented.\n"
        "a.hpp:3: warning: Member f() (function) of class verinfer::B is not documented.\n"
        "a.hpp:4: warning: Compound verinfer::C is not documented.\n"
        "a.hpp:5: warning: argument 'x' of command @param is not found\n")
    assert [w.split(":")[1] for w in kept] == ["3", "4", "5"]


def test_doxygen_documents_every_public_declaration(tmp_path):
    doxygen = shutil.which("doxygen")
    assert doxygen, "doxygen is not installed: run scripts/setup.sh"
    config = (ROOT / "Doxyfile").read_text() + \
        f"\nOUTPUT_DIRECTORY = {tmp_path}\nWARN_LOGFILE = {tmp_path / 'warnings.log'}\n"
    run = subprocess.run([doxygen, "-"], input=config, cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "html" / "namespaceverinfer.html").exists()  # free functions are listed
    problems = doxygen_problems((tmp_path / "warnings.log").read_text())
    assert not problems, f"{len(problems)} Doxygen warnings:\n" + "\n".join(problems[:50])
