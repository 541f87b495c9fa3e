#!/bin/sh
# SPDX-License-Identifier: MIT
# Renders the PNG fallbacks of the app icon from prismaquant.svg. Qt loads SVG icons only when
# its SVG plugin (qt6-svg) is installed; the PNGs make the window icon work without it.
# Needs rsvg-convert (Debian: librsvg2-bin). Run after editing the SVG and commit the PNGs.
set -eu
cd "$(dirname "$0")"
mkdir -p png
for size in 16 24 32 48 64 128 256; do
    rsvg-convert -w "$size" -h "$size" prismaquant.svg -o "png/prismaquant-$size.png"
done
