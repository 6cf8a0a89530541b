#!/usr/bin/env bash
# The machine packages every dev tool needs, in one place: .ci/run, scripts/testbed and
# scripts/code-server.mjs (code-server, Chromium, the electron runner) all install through here.
#
#   scripts/install-packages.sh GROUP...     install what GROUP needs and is missing (Debian/Ubuntu)
#   scripts/install-packages.sh --list GROUP print GROUP's specs
#
# A spec "command:package" is satisfied when the command exists (a docker-ce or hand-built dockerd
# counts; nothing replaces it), a plain "package" when dpkg has it installed.
set -euo pipefail

group_specs() {
  case $1 in
    testbed)
      echo dockerd:docker.io docker:docker.io docker-proxy:docker.io containerd:containerd runc:runc \
        iptables:iptables sshd:openssh-server ssh:openssh-client ssh-keygen:openssh-client socat:socat \
        ip:iproute2 nsenter:util-linux setsid:util-linux unshare:util-linux flock:util-linux \
        openssl:openssl ldd:libc-bin ps:procps killall:psmisc busybox-static \
        podman:podman /usr/lib/podman/netavark:netavark /usr/lib/podman/aardvark-dns:aardvark-dns ;;
    # code-server's postinstall builds VS Code's native modules; its ripgrep is seeded from Debian's.
    code-server) echo libkrb5-dev pkg-config build-essential rg:ripgrep ;;
    browser) echo chromium:chromium fonts-dejavu-core ;;
    electron) echo Xvfb:xvfb libnss3 libgbm1 libasound2 libgtk-3-0 libxkbfile1 libsecret-1-0 ;;
    ci) group_specs testbed; group_specs code-server; group_specs browser ;;
    *) echo "install-packages: unknown group '$1' (testbed, code-server, browser, electron, ci)" >&2; return 2 ;;
  esac
}

satisfied() {
  local spec=$1
  if [[ $spec == *:* ]]; then
    command -v "${spec%%:*}" >/dev/null 2>&1
  elif [[ $spec == busybox-static ]]; then
    # The testbed's fixture rootfs needs a statically linked busybox (ldd fails on a static binary).
    [[ -x /bin/busybox ]] && ! ldd /bin/busybox >/dev/null 2>&1
  else
    dpkg-query -W -f='${Status}' "$spec" 2>/dev/null | grep -q 'install ok installed'
  fi
}

if [[ ${1:-} == --list ]]; then
  shift
  for group in "$@"; do group_specs "$group" | tr ' ' '\n'; done
  exit 0
fi
(($#)) || { echo "usage: $0 GROUP... (testbed, code-server, browser, electron, ci)" >&2; exit 2; }

missing=()
for group in "$@"; do
  specs=$(group_specs "$group")
  for spec in $specs; do
    satisfied "$spec" || missing+=("${spec#*:}")
  done
done
((${#missing[@]})) || exit 0
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)

command -v apt-get >/dev/null 2>&1 || { echo "install-packages: missing ${missing[*]} and no apt-get to install them; install them by hand" >&2; exit 1; }
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-packages: missing ${missing[*]}; run this script as root" >&2; exit 1; }
  sudo=(sudo -n)
fi
echo "install-packages: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
