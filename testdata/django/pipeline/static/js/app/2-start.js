document.documentElement.dataset.app = "started " + App.ready + " " + typeof name;
