#!/usr/bin/env python3
# flatpak/check-manifest.py
#
# Checks the Flatpak manifest against Vigil's sandbox policy: the exact permissions it may ask
# for (no file system access: files come through the portals; notifications through their
# portal), the application id and command, the runtime, pinned archive sources, and that the
# app itself is built last from this checkout as the stable flavour.
#
#   check-manifest.py MANIFEST [--app-id ID] [--command NAME]
#
# SPDX-License-Identifier: GPL-3.0-or-later

import argparse
import json
import re
import sys

ALLOWED_FINISH_ARGS = {
    "--share=network",  # Kafka
    "--share=ipc",  # X11 shared memory
    "--socket=wayland",
    "--socket=fallback-x11",
    "--device=dri",  # GL rendering
}
RUNTIME = ("org.gnome.Platform", "org.gnome.Sdk", "43")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
# flatpak-builder --show-manifest accepts any string here; a build would not.
BUILD_SYSTEMS = {"autotools", "cmake", "cmake-ninja", "meson", "qmake", "simple"}
SOURCE_TYPES = {"archive", "bzr", "dir", "extra-data", "file", "git", "inline", "patch", "script",
                "shell", "svn"}


def check(manifest, app_id, command):
    """Every way the manifest breaks the policy, as messages; empty when it keeps it."""
    problems = []

    def expect(what, got, want):
        if got != want:
            problems.append(f"{what} is {got!r}, expected {want!r}")

    # flatpak-builder takes either key; "id" is the newer spelling.
    expect("app id", manifest.get("app-id", manifest.get("id")), app_id)
    expect("command", manifest.get("command"), command)
    expect("runtime", manifest.get("runtime"), RUNTIME[0])
    expect("sdk", manifest.get("sdk"), RUNTIME[1])
    expect("runtime-version", manifest.get("runtime-version"), RUNTIME[2])

    finish_args = manifest.get("finish-args", [])
    if len(finish_args) != len(set(finish_args)):
        problems.append(f"finish-args repeat an entry: {finish_args}")
    extra = sorted(set(finish_args) - ALLOWED_FINISH_ARGS)
    missing = sorted(ALLOWED_FINISH_ARGS - set(finish_args))
    if extra:
        problems.append(f"finish-args not allowed: {extra}")
    if missing:
        problems.append(f"finish-args missing: {missing}")

    modules = manifest.get("modules", [])
    if not modules:
        return problems + ["no modules"]
    for module in modules:
        if not isinstance(module, dict):
            problems.append(f"module {module!r} is kept in another file: inline it")
            continue
        if module.get("buildsystem", "autotools") not in BUILD_SYSTEMS:
            problems.append(f"{module.get('name')}: unknown build system "
                            f"{module.get('buildsystem')!r}")
        for source in module.get("sources", []):
            if source.get("type") not in SOURCE_TYPES:
                problems.append(f"{module.get('name')}: unknown source type {source.get('type')!r}")
            if source.get("type") in ("archive", "file"):
                if not source.get("url", "").startswith("https://"):
                    problems.append(f"{module.get('name')}: source not fetched over https")
                if not SHA256.match(source.get("sha256", "")):
                    problems.append(f"{module.get('name')}: source without a sha256")

    app = modules[-1]
    if not isinstance(app, dict):
        return problems
    expect("the app's module", app.get("name"), command)
    expect("last module's build system", app.get("buildsystem"), "meson")
    expect("last module's sources", [(s.get("type"), s.get("path")) for s in app.get("sources", [])],
           [("dir", "..")])
    if "-Ddevelopment=false" not in app.get("config-opts", []):
        problems.append("the app is not configured with -Ddevelopment=false, so its id "
                        "would not match the manifest's")
    return problems


def main():
    parser = argparse.ArgumentParser(description="Check Vigil's Flatpak manifest.")
    parser.add_argument("manifest")
    parser.add_argument("--app-id", default="io.github.vigilmonitor.Vigil")
    parser.add_argument("--command", default="vigil")
    args = parser.parse_args()

    try:
        with open(args.manifest, encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        print(f"check-manifest: {args.manifest}: {e}", file=sys.stderr)
        return 1

    problems = check(manifest, args.app_id, args.command)
    for problem in problems:
        print(f"check-manifest: {args.manifest}: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"check-manifest: {args.manifest}: {args.app_id} keeps the policy "
          f"({len(manifest['finish-args'])} finish-args, {len(manifest['modules'])} modules)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
