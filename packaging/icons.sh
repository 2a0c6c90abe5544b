#!/usr/bin/env bash
# Regenerates the committed icon files in resources/icons/ from
# resources/icons/supervision-console.svg: the PNGs for the hicolor theme and
# the window (16 to 512 px), supervision-console.ico (Windows, 16 to 256 px)
# and supervision-console.icns (macOS). Run it after changing the SVG and
# commit the results; the build only uses the committed files, so it needs
# none of these tools.
set -euo pipefail
cd "$(dirname "$0")/../resources/icons"

tools=(rsvg-convert:librsvg2-bin icotool:icoutils png2icns:icnsutils)
missing=()
for t in "${tools[@]}"; do
  command -v "${t%%:*}" >/dev/null || missing+=("${t#*:}")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi

svg=supervision-console.svg
for size in 16 22 24 32 48 64 128 256 512; do
  rsvg-convert --width "$size" --height "$size" "$svg" --output "supervision-console-$size.png"
done

# Windows wants 256 px stored as PNG inside the .ico (--raw); the small ones
# as bitmaps, which every Windows version reads.
icotool --create --output supervision-console.ico \
  supervision-console-{16,24,32,48,64,128}.png --raw=supervision-console-256.png

# The sizes icns has slots for (png2icns skips the others).
png2icns supervision-console.icns supervision-console-{16,32,48,128,256,512}.png

ls -l supervision-console*
