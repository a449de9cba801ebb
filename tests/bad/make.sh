#!/bin/sh
# Generates the small bad inputs of tests/bad/cases.tsv into the folder given as argument.
# Usage: tests/bad/make.sh OUT_DIR   (run from anywhere; needs ffmpeg, head, printf)
set -eu
out=${1:?usage: make.sh OUT_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
spec="$root/exercises/cable-medius-kickback.toml"
mkdir -p "$out"
cd "$out"

# Videos that are not videos.
printf 'this is not a video\n' > text.mp4
: > empty.mp4
head -c 4096 "$root/samples/01_clean_side.mp4" > truncated_4k.mp4
head -c 65536 /dev/urandom > random.mp4
# An image with nobody in it.
ffmpeg -hide_banner -loglevel error -y -f lavfi -i color=c=gray:s=320x240 -frames:v 1 nobody.png
# A one-second video with nobody in it.
ffmpeg -hide_banner -loglevel error -y -f lavfi -i color=c=gray:s=160x120:r=10 -t 1 -c:v libx264 -pix_fmt yuv420p nobody.mp4
# A non-UTF-8 file name (byte 0xFF) holding text.
printf 'not a video\n' > "$(printf 'bad\377name.mp4')"
# A folder named like a video.
mkdir -p folder.mp4

# Exercise specs.
: > empty.toml
sed 's/^spec_version *= *1/spec_version = 2/' "$spec" > version2.toml
printf 'this = is = not toml\n' > garbage.toml
printf 'spec_version = 1\n' > minimal.toml
head -c 1500000 /dev/zero | tr '\0' '#' > huge.toml
sed 's/^\(spec_version.*\)$/\1\n[[[broken/' "$spec" > broken_table.toml

# Landmark files (eval/analyze --landmarks style inputs) and folders.
printf '{"frame":0,"t_ms":0,"width":10,"height":10,"landmarks":[[1,2,3,4]],"world":null}\n' > short.jsonl
mkdir -p empty_dir out

# A batch input folder: a fifo named like a video (must be skipped, not hang) and a video whose
# name a spreadsheet would run as a formula (summary.csv must neutralise it).
mkdir -p batch_in
[ -p batch_in/fifo.mp4 ] || mkfifo batch_in/fifo.mp4
printf 'x' > 'batch_in/=HYPERLINK(1).mp4'
