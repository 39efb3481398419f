#!/usr/bin/env python3
"""Cross-file checks of the deploy kit that no schema validator can make.

Called by scripts/validate-deploy (which installs PyYAML first); run from the
repository root. Usage:

    deploy_consistency.py              the static checks below
    deploy_consistency.py --check BIN  also run `BIN check` on the Kubernetes
                                       ConfigMap (laid out as the kubelet
                                       mounts it, with the Secret's variable
                                       names) and on config/wirewatch.toml
                                       with the Compose service's environment

Static checks:
  * the ConfigMap's watchlists are the files of config/watchlists/;
  * every ConfigMap key is mounted by the StatefulSet's `items`, at the path
    the daemon reads (wirewatch.toml, watchlists/NAME.toml);
  * the restricted security settings are in place, with the Dockerfile's uid;
  * every stop timeout (Kubernetes, Compose, systemd) exceeds the daemon's
    delivery.shutdown_grace_secs.
Prints one line per problem and exits 1 if there is any.
"""

import base64
import os
import re
import subprocess
import sys
import tempfile
import tomllib

import yaml

K8S = "deploy/kubernetes"
problems = []


def problem(msg):
    problems.append(msg)
    print(f"  problem: {msg}")


def load_docs(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d]


def find(kind, name=None):
    for fname in sorted(os.listdir(K8S)):
        if not fname.endswith((".yaml", ".yml")):
            continue
        for doc in load_docs(os.path.join(K8S, fname)):
            if doc.get("kind") == kind and (name is None or doc["metadata"]["name"] == name):
                return doc
    problem(f"{K8S}: no {kind}{' ' + name if name else ''}")
    return None


def duration_secs(text):
    """Compose durations such as 45s, 1m30s."""
    total, units = 0, {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    for num, unit in re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", str(text)):
        total += float(num) * units[unit]
    return total


def static_checks():
    cm = find("ConfigMap", "wirewatch-config")
    sts = find("StatefulSet", "wirewatch")
    if not cm or not sts:
        return None, None
    data = cm.get("data", {})

    # Watchlists: the ConfigMap carries copies of config/watchlists/.
    shipped = {f: open(os.path.join("config/watchlists", f), encoding="utf-8").read()
               for f in os.listdir("config/watchlists") if f.endswith(".toml")}
    in_cm = {k[len("watchlists."):]: v for k, v in data.items() if k.startswith("watchlists.")}
    for f in sorted(set(shipped) | set(in_cm)):
        if f not in in_cm:
            problem(f"config/watchlists/{f} is missing from the ConfigMap (key watchlists.{f})")
        elif f not in shipped:
            problem(f"ConfigMap key watchlists.{f} has no config/watchlists/{f}")
        elif shipped[f] != in_cm[f]:
            problem(f"ConfigMap key watchlists.{f} differs from config/watchlists/{f}: copy it over")

    # Mounts: every key, at the path the daemon reads.
    pod = sts["spec"]["template"]["spec"]
    vols = {v["name"]: v for v in pod.get("volumes", [])}
    cfg_vol = next((v for v in vols.values() if v.get("configMap", {}).get("name") == "wirewatch-config"), None)
    container = next(c for c in pod["containers"] if c["name"] == "wirewatch")
    mounts = {m["name"]: m["mountPath"] for m in container.get("volumeMounts", [])}
    if not cfg_vol:
        problem("the StatefulSet does not mount ConfigMap wirewatch-config")
    else:
        if mounts.get(cfg_vol["name"]) != "/etc/wirewatch":
            problem("ConfigMap wirewatch-config is not mounted at /etc/wirewatch")
        items = {i["key"]: i["path"] for i in cfg_vol["configMap"].get("items", [])}
        for key in data:
            want = "wirewatch.toml" if key == "wirewatch.toml" else "watchlists/" + key[len("watchlists."):]
            if key not in items:
                problem(f"ConfigMap key {key} has no `items` entry in the StatefulSet, so it is not mounted")
            elif items[key] != want:
                problem(f"ConfigMap key {key} is mounted at {items[key]}, expected {want}")
        for key in items:
            if key not in data:
                problem(f"StatefulSet `items` names {key}, which the ConfigMap lacks (the pod would not start)")
    if mounts.get("state") != "/var/lib/wirewatch":
        problem("the volumeClaimTemplate `state` is not mounted at /var/lib/wirewatch")
    if not any(t["metadata"]["name"] == "state" for t in sts["spec"].get("volumeClaimTemplates", [])):
        problem("no volumeClaimTemplate named state")

    # Security settings, and the uid the image runs as.
    m = re.search(r"^USER\s+(\d+)(?::(\d+))?\s*$", open("Dockerfile", encoding="utf-8").read(), re.M)
    uid = int(m.group(1)) if m else None
    if uid is None:
        problem("Dockerfile: no numeric USER")
    psc, csc = pod.get("securityContext", {}), container.get("securityContext", {})
    expect = [
        (psc.get("runAsNonRoot") or csc.get("runAsNonRoot"), True, "runAsNonRoot"),
        (csc.get("runAsUser", psc.get("runAsUser")), uid, "runAsUser (= Dockerfile USER)"),
        (csc.get("readOnlyRootFilesystem"), True, "readOnlyRootFilesystem"),
        (csc.get("allowPrivilegeEscalation"), False, "allowPrivilegeEscalation"),
        (csc.get("capabilities", {}).get("drop"), ["ALL"], "capabilities.drop"),
        ((csc.get("seccompProfile") or psc.get("seccompProfile") or {}).get("type"), "RuntimeDefault",
         "seccompProfile.type"),
    ]
    for got, want, what in expect:
        if got != want and not (want is None and what.startswith("runAsUser")):
            problem(f"StatefulSet container {what} is {got!r}, expected {want!r}")

    # Stop timeouts versus the drain.
    k8s_cfg = tomllib.loads(data.get("wirewatch.toml", ""))
    grace = k8s_cfg.get("delivery", {}).get("shutdown_grace_secs", 30)
    tgps = pod.get("terminationGracePeriodSeconds", 30)
    if not tgps > grace:
        problem(f"terminationGracePeriodSeconds {tgps} is not above shutdown_grace_secs {grace}")
    with open("config/wirewatch.toml", "rb") as f:
        grace = tomllib.load(f).get("delivery", {}).get("shutdown_grace_secs", 30)
    compose = yaml.safe_load(open("deploy/docker-compose.yml", encoding="utf-8"))
    ww = compose["services"]["wirewatch"]
    stop = duration_secs(ww.get("stop_grace_period", "10s"))
    if not stop > grace:
        problem(f"docker-compose.yml: stop_grace_period {stop:g}s is not above shutdown_grace_secs {grace}")
    unit = open("deploy/systemd/wirewatch.service", encoding="utf-8").read()
    m = re.search(r"^TimeoutStopSec=(\d+)s?\s*$", unit, re.M)
    if not m or not int(m.group(1)) > grace:
        problem(f"wirewatch.service: TimeoutStopSec is not above shutdown_grace_secs {grace}")
    return data, ww


def clean_env(extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIREWATCH__")}
    env.update(extra)
    return env


def run_check(binary, config, env, what):
    r = subprocess.run([binary, "check", "--config", config], env=env,
                       capture_output=True, text=True)
    if r.returncode != 0:
        problem(f"`wirewatch check` rejects {what}:\n{r.stdout}{r.stderr}")
    else:
        print(f"  wirewatch check ({what}): {r.stdout.strip()}")


def binary_checks(binary, data, ww):
    secret = find("Secret", "wirewatch-secrets") or {}
    fake = "whsec_" + base64.b64encode(os.urandom(32)).decode()
    secret_env = {k: (fake if k.endswith("__SECRET") else "validate-deploy")
                  for k in list(secret.get("stringData", {})) + list(secret.get("data", {}))}
    with tempfile.TemporaryDirectory() as d:
        # The kubelet's layout: a timestamped folder, ..data pointing at it,
        # and top-level symlinks for each first path component.
        ts = os.path.join(d, "..2025_01_01_00_00_00.000000000")
        os.makedirs(os.path.join(ts, "watchlists"))
        for key, value in data.items():
            rel = "wirewatch.toml" if key == "wirewatch.toml" else "watchlists/" + key[len("watchlists."):]
            with open(os.path.join(ts, rel), "w", encoding="utf-8") as f:
                f.write(value)
        os.symlink(os.path.basename(ts), os.path.join(d, "..data"))
        os.symlink("..data/wirewatch.toml", os.path.join(d, "wirewatch.toml"))
        os.symlink("..data/watchlists", os.path.join(d, "watchlists"))
        run_check(binary, os.path.join(d, "wirewatch.toml"), clean_env(secret_env),
                  "the Kubernetes ConfigMap with the Secret's variables")
    env = ww.get("environment", {})
    if isinstance(env, list):
        env = dict(e.split("=", 1) for e in env)
    env = {k: str(v) for k, v in env.items() if k.startswith("WIREWATCH__")}
    run_check(binary, "config/wirewatch.toml", clean_env(env),
              "config/wirewatch.toml with the Compose service's environment")


def main():
    data, ww = static_checks()
    if len(sys.argv) == 3 and sys.argv[1] == "--check" and data is not None:
        binary_checks(sys.argv[2], data, ww)
    if problems:
        sys.exit(1)
    print("  consistent")


if __name__ == "__main__":
    main()
