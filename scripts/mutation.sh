#!/usr/bin/env bash
# Mutation testing of one service's rules package (issue 12, "tests that can fail"):
#   scripts/mutation.sh school_api|police_api [mutmut arguments after run, e.g. a mutant name]
# mutmut (3.x) mutates services/<package>/rules/ and runs only the rules' unit tests (tests/<package>/rules/)
# against each mutant. It works in a scratch copy of the tracked files under var/mutation/<package>/, never in
# the checkout, so an interrupted run leaves no mutated source behind and the two packages can run side by
# side. The kill rate and the surviving mutants are printed at the end (and kept in
# var/mutation/<package>/results.txt); `mutmut show NAME` run inside that folder prints a mutant's diff.
set -euo pipefail

package="${1:-}"
case "$package" in
  school_api|police_api) shift ;;
  *) echo "usage: $0 school_api|police_api [mutmut run arguments]" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
"$python" -c 'import mutmut' 2>/dev/null || { echo "mutmut is not installed: run make install" >&2; exit 2; }
work="$root/var/mutation/$package"

# A fresh copy of what the tests import (the previous run's mutants/ folder is kept: mutmut reuses the
# verdicts of mutants whose code and tests did not change).
mkdir -p "$work"
find "$work" -mindepth 1 -maxdepth 1 ! -name mutants -exec rm -rf {} +
(cd "$root" && git ls-files -z --cached --others --exclude-standard -- services shared tests migrations docs pyproject.toml \
  | xargs -0 -I{} cp --parents {} "$work/")

# One [mutmut] section per run, so the same script serves either package. DOMAIN.md sits beside the
# repository; the rules tests look for it there.
cat >"$work/setup.cfg" <<EOF
[mutmut]
source_paths = services/$package/rules
also_copy =
    services
    shared
    migrations
    docs
pytest_add_cli_args_test_selection = tests/$package/rules
pytest_add_cli_args = -p no:cacheprovider -q
EOF

cd "$work"
export TEST_DATABASE="${TEST_DATABASE:-sqlite}"
# The progress bar goes to run.log; the summary below is what to read.
"$python" -m mutmut run "$@" >run.log 2>&1 || { tail -20 run.log >&2; echo "mutmut run failed: see $work/run.log" >&2; }
"$python" -m mutmut results --all true >results-all.txt 2>&1 || true
"$python" - "$package" <<'PY' | tee results.txt
import re
import sys
from collections import Counter

lines = open("results-all.txt").read().splitlines()
verdicts = Counter()
survivors = []
for line in lines:
    match = re.match(r"\s*(\S+): (.+)$", line)
    if not match:
        continue
    name, verdict = match.groups()
    verdicts[verdict] += 1
    if verdict in ("survived", "no tests", "suspicious", "timeout"):
        survivors.append(f"{verdict:10} {name}")
killed = verdicts["killed"]
total = sum(verdicts.values())
if total == 0:
    sys.exit("no mutants were generated or run")
print(f"{sys.argv[1]} rules: {killed} of {total} mutants killed ({100 * killed / total:.1f} %)")
print("verdicts:", dict(verdicts))
for survivor in survivors:
    print(survivor)
PY
