var Site = { ready: true };
