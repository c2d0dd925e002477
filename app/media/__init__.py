"""Media: uploaded photos and documents, judged by content, stored on a MediaStorage port."""
