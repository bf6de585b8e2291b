// The 3D view: the GLB mannequin on a stage, its animation driven by the music's clock.
import * as THREE from 'three';
import { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';

export class Viewer {
  constructor(el, { camera = [0, 1.9, 7.0] } = {}) {
    this.el = el;
    this.mixer = null;
    this.model = null;
    this.ok = true;
    try {
      this.renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
    } catch (e) {
      this.ok = false;
      el.innerHTML = '<p class="no3d">The 3D view needs WebGL, which this browser has switched off. The music, timeline and exports still work.</p>';
      return;
    }
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
    this.renderer.shadowMap.enabled = true;
    el.appendChild(this.renderer.domElement);
    this.scene = new THREE.Scene();
    this.scene.background = new THREE.Color(0x1b1d26);
    this.camera = new THREE.PerspectiveCamera(38, 1, 0.1, 100);
    this.camera.position.set(...camera);  // the audience is at +Z
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.target.set(0, 0.95, 0);
    this.controls.update();
    this.scene.add(new THREE.HemisphereLight(0xffffff, 0x444455, 1.6));
    const key = new THREE.DirectionalLight(0xffffff, 2.2);
    key.position.set(3, 8, 6);
    key.castShadow = true;
    key.shadow.mapSize.set(1024, 1024);
    Object.assign(key.shadow.camera, { left: -6, right: 6, top: 6, bottom: -6 });
    this.scene.add(key);
    const floor = new THREE.Mesh(new THREE.PlaneGeometry(10, 8), new THREE.MeshStandardMaterial({ color: 0x6b5444, roughness: 0.85 }));
    floor.rotation.x = -Math.PI / 2;
    floor.receiveShadow = true;
    this.scene.add(floor);
    const grid = new THREE.GridHelper(10, 10, 0x8a7260, 0x7a6250);
    grid.position.y = 0.002;
    grid.scale.z = 0.8;
    this.scene.add(grid);
    const front = new THREE.Mesh(new THREE.BoxGeometry(10, 0.02, 0.06), new THREE.MeshBasicMaterial({ color: 0xe8c27a }));
    front.position.set(0, 0.01, 4);  // the front edge of the stage, towards the audience
    this.scene.add(front);
    new ResizeObserver(() => this.resize()).observe(el);
    this.resize();
  }

  resize() {
    if (!this.ok) return;
    const w = this.el.clientWidth || 400, h = this.el.clientHeight || 300;
    this.renderer.setSize(w, h, false);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
  }

  async load(url) {
    if (!this.ok) return;
    const gltf = await new GLTFLoader().loadAsync(url);
    if (this.model) this.scene.remove(this.model);
    this.model = gltf.scene;
    this.model.traverse(o => {
      if (o.isMesh) { o.castShadow = true; o.frustumCulled = false; }
    });
    this.scene.add(this.model);
    this.mixer = new THREE.AnimationMixer(this.model);
    if (gltf.animations.length) this.mixer.clipAction(gltf.animations[0]).play();
    this.duration = gltf.animations.length ? gltf.animations[0].duration : 0;
  }

  dispose() {
    if (!this.ok) return;
    this.ok = false;
    this.controls.dispose();
    this.renderer.dispose();
    this.renderer.forceContextLoss();
    this.renderer.domElement.remove();
  }

  show(t) {
    if (!this.ok) return;
    if (this.mixer) this.mixer.setTime(Math.max(0, Math.min(t, this.duration || t)));
    this.controls.update();
    this.renderer.render(this.scene, this.camera);
  }
}
