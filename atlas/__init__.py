"""The app core without components: the model facade, view states and their URL codec,
background jobs. Imports layers and analysis; never views, reports or callbacks."""
