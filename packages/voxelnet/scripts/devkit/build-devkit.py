#!/usr/bin/env python3
"""Builds the KITTI devkit's 3D evaluation (evaluate_object_3d_offline.cpp) without Boost, for
parity checks of `kitti.evaluate`.

Usage: build-devkit.py <path to evaluate_object_3d_offline.cpp> <dir with mail.h> <out dir>

The devkit source is NOT part of this repository: get it from the KITTI object devkit or from
qianguih/voxelnet (kitti_eval/). This script copies it to <out dir>, replaces the Boost includes and
the three polygon-overlap functions (toPolygon / groundBoxOverlap / box3DOverlap, which only use
boost::geometry to intersect two rotated rectangles) with a small Sutherland–Hodgman clipper, keeps
every other line (cleanData, computeStatistics, getThresholds, eval_class, file loading) as is, and
compiles it with g++. Car overlap thresholds are set to 0.7 for every metric (the leaderboard's).
"""
import re
import shutil
import subprocess
import sys

src, maildir, out = sys.argv[1:4]
code = open(src).read()

shim = r'''
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
// --- paperstack shim: rotated-rectangle overlap without Boost ---
struct Rect { double x[4], z[4]; };
template <typename T> Rect toRect(const T& g) {
  Rect r; double c = cos(g.ry), s = sin(g.ry);
  double lx[4] = {g.l / 2, -g.l / 2, -g.l / 2, g.l / 2}, lz[4] = {g.w / 2, g.w / 2, -g.w / 2, -g.w / 2};
  for (int i = 0; i < 4; i++) { r.x[i] = g.t1 + c * lx[i] + s * lz[i]; r.z[i] = g.t3 - s * lx[i] + c * lz[i]; }
  return r;
}
static double polyArea(const std::vector<double>& x, const std::vector<double>& z) {
  double a = 0; size_t n = x.size();
  for (size_t i = 0; i < n; i++) { size_t j = (i + 1) % n; a += x[i] * z[j] - x[j] * z[i]; }
  return a / 2;
}
static double rectInter(Rect a, Rect b) {
  std::vector<double> px(a.x, a.x + 4), pz(a.z, a.z + 4), bx(b.x, b.x + 4), bz(b.z, b.z + 4);
  if (polyArea(px, pz) < 0) { std::reverse(px.begin(), px.end()); std::reverse(pz.begin(), pz.end()); }
  if (polyArea(bx, bz) < 0) { std::reverse(bx.begin(), bx.end()); std::reverse(bz.begin(), bz.end()); }
  for (int e = 0; e < 4 && px.size() > 0; e++) {
    double x0 = bx[e], z0 = bz[e], dx = bx[(e + 1) % 4] - x0, dz = bz[(e + 1) % 4] - z0;
    std::vector<double> qx, qz; size_t n = px.size();
    for (size_t i = 0; i < n; i++) {
      size_t k = (i + n - 1) % n;
      double sp = dx * (pz[k] - z0) - dz * (px[k] - x0), sq = dx * (pz[i] - z0) - dz * (px[i] - x0);
      if (sq >= 0) {
        if (sp < 0) { double t = sp / (sp - sq); qx.push_back(px[k] + t * (px[i] - px[k])); qz.push_back(pz[k] + t * (pz[i] - pz[k])); }
        qx.push_back(px[i]); qz.push_back(pz[i]);
      } else if (sp >= 0) { double t = sp / (sp - sq); qx.push_back(px[k] + t * (px[i] - px[k])); qz.push_back(pz[k] + t * (pz[i] - pz[k])); }
    }
    px = qx; pz = qz;
  }
  return px.size() < 3 ? 0 : fabs(polyArea(px, pz));
}
'''
code = re.sub(r'#include <boost[^\n]*\n', '', code)
code = code.replace('BOOST_GEOMETRY_REGISTER_C_ARRAY_CS(cs::cartesian)', '')
code = re.sub(r'typedef boost::geometry::model::polygon<[^;]*;', shim, code)

# replace toPolygon .. end of box3DOverlap with shim-based versions
start = code.index('// compute polygon of an oriented bounding box')
end = code.index('vector<double> getThresholds')
code = code[:start] + r'''
inline double groundBoxOverlap(tDetection d, tGroundtruth g, int32_t criterion = -1) {
  double inter = rectInter(toRect(d), toRect(g));
  double ad = fabs(d.l * d.w), ag = fabs(g.l * g.w);
  if (criterion == -1) return inter / (ad + ag - inter);
  if (criterion == 0) return inter / ad;
  return inter / ag;
}
inline double box3DOverlap(tDetection d, tGroundtruth g, int32_t criterion = -1) {
  double ymax = min(d.t2, g.t2), ymin = max(d.t2 - d.h, g.t2 - g.h);
  double inter = rectInter(toRect(d), toRect(g)) * max(0.0, ymax - ymin);
  double vd = d.h * d.l * d.w, vg = g.h * g.l * g.w;
  if (criterion == -1) return inter / (vd + vg - inter);
  if (criterion == 0) return inter / vd;
  return inter / vg;
}
''' + code[end:]
code = code.replace(
    'const double MIN_OVERLAP[3][3] = {{0.7, 0.5, 0.5}, {0.5, 0.25, 0.25}, {0.5, 0.25, 0.25}};',
    'const double MIN_OVERLAP[3][3] = {{0.7, 0.5, 0.5}, {0.7, 0.5, 0.5}, {0.7, 0.5, 0.5}};',
)
code = code.replace('#include <algorithm>', '#include <algorithm>\n#include <vector>')
import os
os.makedirs(out, exist_ok=True)
open(os.path.join(out, 'evaluate_object.cpp'), 'w').write(code)
shutil.copy(os.path.join(maildir, 'mail.h'), out)
subprocess.check_call(['g++', '-O2', '-o', os.path.join(out, 'evaluate_object'), os.path.join(out, 'evaluate_object.cpp')])
print('built', os.path.join(out, 'evaluate_object'))
