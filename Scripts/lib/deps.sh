# Installs missing Debian packages with apt-get (as root, or through sudo). Sourced by the scripts
# in Scripts/: `ensure_apt_packages pkg…`.
ensure_apt_packages() {
    local missing=() pkg sudo=()
    if ! command -v dpkg-query >/dev/null 2>&1; then
        printf 'warning: not a Debian-like system; make sure these are installed: %s\n' "$*" >&2
        return 0
    fi
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    ((${#missing[@]} == 0)) && return 0
    if ((EUID != 0)); then
        if ! command -v sudo >/dev/null 2>&1; then
            printf 'error: missing packages (%s) and not root, with no sudo to install them\n' "${missing[*]}" >&2
            return 1
        fi
        sudo=(sudo)
    fi
    printf '==> installing missing packages: %s\n' "${missing[*]}"
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The pinned Python clients (Scripts/python-requirements.txt) in a virtual environment at
# <repo>/.venv: Debian 12's python3 refuses `pip install` into the system (PEP 668,
# "externally-managed-environment"). Installs python3-venv and python3-pip, creates the venv with
# Debian's python3, (re)installs the pins when the requirements file changed since the last
# install, and puts .venv/bin first on the PATH, so that `python3` — and `/usr/bin/env python3`
# in the tests and scripts — is the venv's. Usage: `ensure_python_venv <repo root>`.
ensure_python_venv() {
    local root="$1"
    local venv="$root/.venv" requirements="$root/Scripts/python-requirements.txt"
    local stamp="$root/.venv/installed-requirements.txt" python=python3
    ensure_apt_packages python3 python3-venv python3-pip
    [[ -x /usr/bin/python3 ]] && python=/usr/bin/python3
    if [[ ! -x "$venv/bin/python3" ]]; then
        printf '==> creating the Python virtual environment %s\n' "$venv"
        "$python" -m venv "$venv"
    fi
    if ! cmp -s "$requirements" "$stamp"; then
        printf '==> installing the pinned Python clients into %s\n' "$venv"
        "$venv/bin/python3" -m pip install -q --disable-pip-version-check -r "$requirements"
        cp "$requirements" "$stamp"
    fi
    export VIRTUAL_ENV="$venv"
    export PATH="$venv/bin:$PATH"
}

# The headless browser of the live view's browser test (LiveViewBrowserTests): Debian's chromium
# and its WebDriver, driven by Selenium from .venv.
ensure_browser_packages() {
    ensure_apt_packages chromium chromium-driver
}
