"""Pages people look at: the dispatcher's console (`/console`) and the live walk behind a share link
(`/track/{shareToken}`). Server-rendered shells (Jinja2) with plain JavaScript modules that read the REST
routes and the existing Socket.IO events; Leaflet comes from its PyPI packages, the Socket.IO client is
vendored in `static/vendor/` with its version in the file name."""
