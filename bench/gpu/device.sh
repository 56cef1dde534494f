#!/usr/bin/env bash
# Runs on the GPU machine (the device tool), from the repository root, after
# bench/gpu/prepare-device.sh ran here. One call:
#   run(command: "bash bench/gpu/device.sh", carry: [".gl", ".gpu-carry"], timeout_s: 540)
# Writes webgpu-paper.json, torch-paper.json and log.txt to $OUT. Never run in CI.
set -uo pipefail
out=${OUT:-/tmp/gpu-out}
mkdir -p "$out"
exec > >(tee "$out/log.txt") 2>&1
# Vulkan/EGL loaders (the machine has the NVIDIA driver, not the loaders).
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
if [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
xz -dc .gpu-carry/node.xz >/tmp/node && chmod +x /tmp/node
/tmp/node --version
cd .gpu-carry
# Small shapes first: proves the adapter is the GPU (not a software one) in seconds.
timeout 120 /tmp/node bench.mjs --backend webgpu --size small --warmup 1 --steps 2 --out "$out/webgpu-small.json"
timeout 300 /tmp/node bench.mjs --backend webgpu --size paper --warmup 3 --steps 10 --out "$out/webgpu-paper.json"
voxels=$(python3 -c "import json,sys; r=[x for x in json.load(open('$out/webgpu-paper.json'))['results'] if x['id']=='voxelnet']; print(r[0].get('info',{}).get('numVoxels',0) if r else 0)" 2>/dev/null || echo 0)
timeout 120 python3 torch_bench.py --size paper --warmup 3 --steps 10 --voxels "$voxels" --out "$out/torch-paper.json"
