function loadComments(postId) {
  return fetch("/api/posts/" + postId + "/comments").then(function (r) { return r.json(); });
}
