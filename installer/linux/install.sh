#!/bin/sh
# Install Fältlogg for the current user (no root needed), or update it in place.
#
#   ./install.sh                      from an unpacked bundle (the folder this script is in)
#   ./install.sh Faltlogg-*.tar.gz    from the archive
#   ./install.sh --uninstall          remove the program (the data stays)
#
# The program goes to ~/.local/share/faltlogg-app, the menu entry to
# ~/.local/share/applications/faltlogg.desktop, the command to ~/.local/bin/faltlogg.
# An update replaces only the program folder. The user's data (~/.local/share/Faltlogg,
# the database and its backups) is never touched by this script.
set -eu

data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
appdir="$data_home/faltlogg-app"
desktop_file="$data_home/applications/faltlogg.desktop"
bindir="$HOME/.local/bin"
launcher="$bindir/faltlogg"

say() { printf '%s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

if [ "${1:-}" = "--uninstall" ]; then
  rm -rf "$appdir"
  rm -f "$desktop_file"
  if [ -L "$launcher" ]; then rm -f "$launcher"; fi
  say "Fältlogg är avinstallerat / uninstalled. Data kvar i / data kept in: $data_home/Faltlogg"
  exit 0
fi

tmp=""
cleanup() { if [ -n "$tmp" ]; then rm -rf "$tmp"; fi; }
trap cleanup EXIT INT TERM

if [ $# -ge 1 ]; then
  archive="$1"
  [ -f "$archive" ] || die "no such archive: $archive"
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/faltlogg-install.XXXXXX")"
  tar -xzf "$archive" -C "$tmp"
  source_dir="$tmp/Faltlogg"
else
  source_dir="$(cd "$(dirname "$0")" && pwd)"
fi
[ -x "$source_dir/Faltlogg" ] && [ -d "$source_dir/_internal" ] \
  || die "$source_dir is not a Fältlogg bundle (no Faltlogg program and _internal/ folder)"
[ "$source_dir" != "$appdir" ] || die "run install.sh from the unpacked archive, not from $appdir"

# Copy next to the old program first, then swap: a failed copy leaves the old one working.
mkdir -p "$data_home" "$data_home/applications" "$bindir"
rm -rf "$appdir.new"
cp -R "$source_dir" "$appdir.new"
rm -rf "$appdir.old"
if [ -e "$appdir" ]; then mv "$appdir" "$appdir.old"; fi
mv "$appdir.new" "$appdir"
rm -rf "$appdir.old"

sed "s|@APPDIR@|$appdir|g" "$appdir/faltlogg.desktop" > "$desktop_file.tmp"
mv "$desktop_file.tmp" "$desktop_file"
chmod 644 "$desktop_file"
ln -sfn "$appdir/Faltlogg" "$launcher"
if command -v update-desktop-database >/dev/null 2>&1; then
  update-desktop-database -q "$data_home/applications" 2>/dev/null || true
fi

version="$(cat "$appdir/VERSION" 2>/dev/null || echo '?')"
say "Fältlogg $version installerat i / installed in $appdir"
say "Starta från programmenyn eller med / start from the menu or with: $launcher"
case ":$PATH:" in
  *":$bindir:"*) ;;
  *) say "($bindir finns inte i PATH / is not on PATH)" ;;
esac
say "Data: $data_home/Faltlogg (lämnas orörd vid uppdatering / kept on update)"
