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

# Installs missing PyPI packages for the python3 on the PATH: `ensure_pip_packages pkg…`.
ensure_pip_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        python3 -m pip show -q "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    ((${#missing[@]} == 0)) && return 0
    printf '==> installing Python packages: %s\n' "${missing[*]}"
    python3 -m pip install -q "${missing[@]}"
}
