// Load a dance.glb with three.js GLTFLoader, play its animation and report what a page would see.
// Usage: node load_glb.mjs dance.glb TIME_S  -> one JSON line
import fs from 'fs';
import * as THREE from 'three';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
const buf = fs.readFileSync(process.argv[2]);
const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
new GLTFLoader().parse(ab, '', (gltf) => {
  let skinned = 0, bones = 0;
  gltf.scene.traverse(o => { if (o.isSkinnedMesh) { skinned++; bones = o.skeleton.bones.length; } });
  const clip = gltf.animations[0];
  const mixer = new THREE.AnimationMixer(gltf.scene);
  mixer.clipAction(clip).play(); mixer.update(Number(process.argv[3] || 1.0)); gltf.scene.updateMatrixWorld(true);
  const p = new THREE.Vector3(); gltf.scene.getObjectByName('head').getWorldPosition(p);
  console.log(JSON.stringify({skinned, bones, tracks: clip.tracks.length, duration: clip.duration, head: [p.x, p.y, p.z]}));
}, (e) => { console.error('ERROR', e); process.exit(1); });
