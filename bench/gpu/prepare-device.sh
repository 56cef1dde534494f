#!/usr/bin/env bash
# Prepares what bench/gpu/device.sh needs on the GPU machine, which has no Node and no network:
# a single-file bundle of the benchmark, the webgpu package's linux-x64 Dawn binding, this
# machine's Node binary (xz), and the Vulkan/EGL loader packages (the device tool's README).
# Run from the repository root after `pnpm build`. Everything lands in ignored folders.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=.gpu-carry
grep -qx '/.gpu-carry/' .git/info/exclude 2>/dev/null || echo /.gpu-carry/ >>.git/info/exclude
grep -qx '/.gl/' .git/info/exclude 2>/dev/null || echo /.gl/ >>.git/info/exclude
rm -rf "$out/node_modules" "$out/bench.mjs" && mkdir -p "$out/node_modules/webgpu/dist/linux-x64"
# Bundle everything but the webgpu package (its index.js loads dawn.node relative to itself).
# (esbuild is tsup's; the optional tfjs-node packages stay dynamic imports that fail as "not installed".)
esbuild=$(ls -d node_modules/.pnpm/esbuild@*/node_modules/esbuild/bin/esbuild | tail -1)
"$esbuild" bench/gpu/src/main.ts --bundle --format=esm --platform=node --target=node20 \
  --external:webgpu --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu \
  --banner:js="import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" \
  --outfile="$out/bench.mjs" --log-level=warning
wg=$(readlink -f bench/gpu/node_modules/webgpu)
cp "$wg/index.js" "$wg/package.json" "$out/node_modules/webgpu/"
cp "$wg/dist/linux-x64/dawn.node" "$out/node_modules/webgpu/dist/linux-x64/"
[ -s "$out/node.xz" ] || xz -T2 -6 -c "$(readlink -f "$(command -v node)")" >"$out/node.xz"
cp bench/gpu/torch_bench.py "$out/"
if [ ! -d .gl ] || ! ls .gl/*.deb >/dev/null 2>&1; then
  mkdir -p .gl /tmp/amd64/partial
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  apt-get $o update >/dev/null
  (cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 >/dev/null)
fi
du -sh "$out" .gl
