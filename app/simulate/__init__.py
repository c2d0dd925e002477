"""`python -m app simulate`: a city that moves. Builds a demo business through the public API and drives
its walkers over real Socket.IO connections, so the console and the share-link pages have something to
show, and so the console benchmark has a load."""
