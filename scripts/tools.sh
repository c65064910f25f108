# shellcheck shell=bash
# Installs the external tools impala-lbgen's tests and benchmark use, when missing, and puts
# them on PATH. Sourced by scripts/test and scripts/bench; `install_tools [apt package...]`
# also installs the extra Debian packages named.
#   haproxy, shellcheck (apt)   live HAProxy, shell lint
#   socat (apt)          drain.sh talks to HAProxy's admin socket with it (the live drain test)
#   openssl (apt)        throwaway certificates for `haproxy -c` on TLS configurations
#   keepalived (apt)     `keepalived -t` on the generated files, and the live failover test
#   .tools/venv          cfn-lint, moto[server], awscli, troposphere (pip)
#   .tools/venv-checkov  checkov (pip; its own venv, its pins clash with awscli's)
#   .tools/npm           @cdktf/hcl2json (HashiCorp's HCL parser, for tools/tf-schema-check),
#                        mermaid + jsdom (Mermaid's own parser, for tools/mermaid-check)
#   graphviz (apt)       `dot`, which must render every generated DOT diagram
#   .tools/venv          pre-commit (pip), which runs .pre-commit-hooks.yaml in a test
# Tools already present are not installed again. IMPALA_LBGEN_TOOLS moves the .tools folder.
# `require_terraform` checks for Terraform and its provider mirror, which are never installed.

install_tools() {
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools=${IMPALA_LBGEN_TOOLS:-$repo/.tools}
mkdir -p "$tools/bin"

say() { printf '==> %s\n' "$*" >&2; }

sudo_() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# --- Debian packages ----------------------------------------------------------------------
need_apt=()
for p in "$@"; do command -v "$p" >/dev/null || need_apt+=("$p"); done
command -v haproxy >/dev/null || need_apt+=(haproxy)
command -v shellcheck >/dev/null || need_apt+=(shellcheck)
command -v openssl >/dev/null || need_apt+=(openssl)       # throwaway certificates for haproxy -c
command -v socat >/dev/null || need_apt+=(socat)           # drain.sh and HAProxy's admin socket
command -v dot >/dev/null || need_apt+=(graphviz)          # renders the DOT diagrams
command -v keepalived >/dev/null || need_apt+=(keepalived) # keepalived -t, live VRRP failover
if [ ${#need_apt[@]} -gt 0 ]; then
  say "apt-get install ${need_apt[*]}"
  sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_ apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# --- Python and npm, in parallel -----------------------------------------------------------
pids=()
if [ ! -x "$tools/venv/bin/cfn-lint" ] || [ ! -x "$tools/venv/bin/moto_server" ] || [ ! -x "$tools/venv/bin/aws" ] || [ ! -x "$tools/venv/bin/pre-commit" ]; then
  say "pip install cfn-lint moto[server] awscli troposphere pre-commit into $tools/venv"
  ( python3 -m venv "$tools/venv" &&
    "$tools/venv/bin/pip" install -q --disable-pip-version-check \
      'cfn-lint==1.58.0' 'moto[server]==5.2.5' 'awscli==1.46.3' 'troposphere==4.11.1' 'pre-commit==4.7.0' ) &
  pids+=($!)
fi
if [ ! -x "$tools/venv-checkov/bin/checkov" ]; then
  say "pip install checkov into $tools/venv-checkov"
  ( python3 -m venv "$tools/venv-checkov" &&
    "$tools/venv-checkov/bin/pip" install -q --disable-pip-version-check 'checkov==3.3.30' ) &
  pids+=($!)
fi
if [ ! -d "$tools/npm/node_modules/@cdktf/hcl2json" ] || [ ! -d "$tools/npm/node_modules/mermaid" ] || [ ! -d "$tools/npm/node_modules/jsdom" ]; then
  say "npm install @cdktf/hcl2json@0.21.0 mermaid@11.17.2 jsdom@25.0.1 into $tools/npm"
  ( mkdir -p "$tools/npm" && npm install --silent --no-audit --no-fund --prefix "$tools/npm" \
      @cdktf/hcl2json@0.21.0 mermaid@11.17.2 jsdom@25.0.1 >/dev/null ) &
  pids+=($!)
fi
for pid in "${pids[@]}"; do wait "$pid"; done
ln -sf "$tools/venv-checkov/bin/checkov" "$tools/bin/checkov"

export PATH="$tools/bin:$tools/venv/bin:$PATH"
export NODE_PATH="$tools/npm/node_modules"
export IMPALA_LBGEN_TOOLS="$tools"

for t in haproxy keepalived shellcheck socat cfn-lint checkov moto_server aws dot pre-commit; do
  command -v "$t" >/dev/null || { echo "scripts/tools.sh: $t is still missing after installing" >&2; exit 1; }
done

}

# `require_terraform`: Terraform and a local mirror of its hashicorp/aws provider, which
# tests/terraform_real.rs runs offline (`terraform init -plugin-dir`), are checked, never
# downloaded: machines of this kind ship /usr/local/bin/terraform and /opt/tf-plugins. A missing
# one stops the script; the mirror's folder is exported as IMPALA_LBGEN_TF_PLUGIN_DIR.
require_terraform() {
  if ! command -v terraform >/dev/null; then
    echo "scripts/tools.sh: terraform is not on PATH: install Terraform >= 1.5 and a local mirror" \
      "of the hashicorp/aws provider >= 5.73 (this script does not download them)" >&2
    exit 1
  fi
  if [ -z "${IMPALA_LBGEN_TF_PLUGIN_DIR:-}" ]; then
    # The first registry.terraform.io folder within four levels of / holding the provider as a
    # file (a plugin cache's symlinks do not count); the tests check its version and platform.
    while IFS= read -r registry; do
      if [ -n "$(find "$registry/hashicorp/aws" -mindepth 3 -maxdepth 3 -type f \
                   -name 'terraform-provider-aws_*' 2>/dev/null)" ]; then
        IMPALA_LBGEN_TF_PLUGIN_DIR=$(dirname "$registry")
        break
      fi
    done < <(find / -maxdepth 4 -type d -name registry.terraform.io 2>/dev/null | sort)
  fi
  if [ -z "${IMPALA_LBGEN_TF_PLUGIN_DIR:-}" ]; then
    echo "scripts/tools.sh: no local mirror of the hashicorp/aws provider (a folder" \
      "registry.terraform.io/hashicorp/aws/<version>/<os>_<arch>/ within four levels of /):" \
      "make one with \`terraform providers mirror DIR\` and set IMPALA_LBGEN_TF_PLUGIN_DIR=DIR" >&2
    exit 1
  fi
  export IMPALA_LBGEN_TF_PLUGIN_DIR
}
