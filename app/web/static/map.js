// The pages' shared map: tiles from WALKY_MAP_TILE_URL when set; positions, trails and areas are vector
// layers, so they draw on the plain background when no tile server answers.
const L = window.L;

export function escapeHtml(text) {
  const holder = document.createElement("div");
  holder.textContent = text;
  return holder.innerHTML;
}

export function latLng(coordinates) {
  // The API speaks GeoJSON order [lng, lat]; Leaflet wants [lat, lng].
  return [coordinates[1], coordinates[0]];
}

export function createMap(element) {
  const settings = document.body.dataset;
  // maxZoom on the map itself: without a tile layer nothing else sets it, and marker clusters need it.
  const map = L.map(element, { maxZoom: 19 }).setView([20, 0], 2);
  if (settings.tileUrl) {
    // Leaflet writes the attribution as HTML: the setting is text.
    L.tileLayer(settings.tileUrl, { maxZoom: 19, attribution: escapeHtml(settings.attribution || "") }).addTo(map);
  }
  return map;
}

export function dotIcon(className, label) {
  return L.divIcon({ className: `dot ${className}`, iconSize: [18, 18], html: label ? escapeHtml(label) : "" });
}
