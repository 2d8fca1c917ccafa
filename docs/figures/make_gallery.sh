#!/usr/bin/env bash
# Redraws the README's gallery figures from fresh runs (about 2 minutes on 2 cores).
# Usage, from the repository root with peacesim installed: bash docs/figures/make_gallery.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
peacesim run --seed 1 --out "$work/default" --quiet
peacesim run scenarios/geneva-2026-us-pressure.yaml --seed 1 --out "$work/pressure" --quiet
peacesim compare "$work/default" "$work/pressure" --labels "default,strong US pressure on Kyiv" \
    --out "$work/compare" > /dev/null
peacesim sweep --grid 'actors.us.levers.0.effects.1.add=0.1,0.2,0.3,0.4,0.5,0.6' \
    --runs 1000 --seed 1 --out "$work/sweep" --quiet > /dev/null
cp "$work/default/figures/agreement_over_time.png" docs/figures/agreement_over_time.png
cp "$work/default/figures/terms.png" docs/figures/terms.png
cp "$work/compare/agreement_curves.png" docs/figures/compare_us_pressure.png
cp "$work/sweep/figures/sweep.png" docs/figures/sweep_red_line_shift.png
echo "gallery redrawn in docs/figures/"
