// Hidden by static/js/application.js: the project's static/ root comes first.
var AccountsApp = true;
